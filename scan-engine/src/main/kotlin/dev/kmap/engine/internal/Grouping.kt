package dev.kmap.engine.internal

import dev.kmap.dsl.TargetCursor
import dev.kmap.engine.HostCheckpoint
import dev.kmap.engine.PortResult
import dev.kmap.engine.ScanCheckpoint

/**
 * Cuts the target walk into host groups of [size] hosts: a group is scanned as one (its probes
 * interleave), so the size bounds memory and keeps every host's probes spread out. With a
 * [resume] checkpoint, hosts it lists as finished stay in their group only as finished
 * placeholders (so later checkpoints list them again), and hosts in flight come back up, with
 * their decided ports to skip and, when [decidedPorts] has them, their earlier results.
 */
internal class Grouping(
    private val size: Int,
    resume: ScanCheckpoint?,
    private val decidedPorts: Map<Long, List<PortResult>>,
    private val onSkipped: () -> Unit,
) {
    private val resumed: Map<Long, HostCheckpoint> = resume?.hosts?.associateBy { it.position }.orEmpty()

    fun next(cursor: TargetCursor): List<GroupHost> {
        val group = ArrayList<GroupHost>(minOf(size, 1024))
        while (group.size < size && cursor.hasNext()) {
            val h = GroupHost(cursor.next(), cursor.position)
            if (resumed.isNotEmpty()) resumed[h.position]?.let { r -> // (no boxed lookup per host without a resume)
                if (r.finished) {
                    h.host = r.host
                    h.finished = true
                    onSkipped()
                } else {
                    h.up = true
                    h.reason = r.reason
                    h.resumedPorts = r.decided
                    decidedPorts[h.position]?.forEach(h::addPort)
                }
            }
            group += h
        }
        return group
    }

    companion object {
        private const val MAX_GROUP = 16_384
        private const val MAX_PROBES_PER_GROUP = 262_144

        /** Hosts per group for [portsPerHost] ports each. */
        fun size(portsPerHost: Int): Int = (MAX_PROBES_PER_GROUP / portsPerHost.coerceAtLeast(1)).coerceIn(1, MAX_GROUP)
    }
}
