package dev.kmap.cli

import com.github.ajalt.clikt.core.parse
import dev.kmap.dsl.Shard
import org.snakeyaml.engine.v2.api.Load
import org.snakeyaml.engine.v2.api.LoadSettings
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** samples/kubernetes: an Indexed Job whose pods' arguments, run with their completion index, are the N shards of one scan. */
class KubernetesSampleTest {
    @Test
    fun `the Indexed Job runs shard index+1 of completions, with one seed and one store`() {
        val job = Load(LoadSettings.builder().build()).loadFromString(File("../samples/kubernetes/kmap-sharded-scan.yaml").readText()) as Map<*, *>
        assertEquals("Job", job["kind"])
        val spec = job["spec"] as Map<*, *>
        assertEquals("Indexed", spec["completionMode"])
        val completions = spec["completions"] as Int
        val container = (((spec["template"] as Map<*, *>)["spec"] as Map<*, *>)["containers"] as List<*>).single() as Map<*, *>
        @Suppress("UNCHECKED_CAST") val args = container["args"] as List<String>
        assertEquals(completions.toString(), args[args.indexOf("--shard-count") + 1])
        assertTrue("--seed" in args)
        val env = (container["env"] as List<*>).map { (it as Map<*, *>)["name"] }
        assertTrue(env.containsAll(listOf("KMAP_STORE", "KMAP_SCAN_GROUP")), "$env")
        val shards = (0 until completions).map { index ->
            val cmd = ScanCommand()
            cmd.storeOptions.env = { if (it == "JOB_COMPLETION_INDEX") "$index" else null }
            cmd.parse(NmapArgs.normalize(args))
            cmd.plan!!.targets
        }
        assertEquals((1..completions).map { Shard(it, completions) }, shards.map { it.shard })
        assertEquals(1, shards.map { it.copy(shard = Shard.WHOLE) }.distinct().size, "every pod scans the same plan")
    }
}
