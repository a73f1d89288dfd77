// redis-info: version and state of a Redis server (nmap's redis-info.nse).
description = "Sends INFO to a Redis server (after AUTH when a password is given) and shows the server section's main fields: version, OS, architecture, process id, uptime, clients, memory and role."
categories("discovery", "safe")
argument("password", "a password for AUTH (none by default)")

portRule(Shortport.portOrService(listOf(6379), listOf("redis")))

action {
    tcp {
        suspend fun bulk(): String {
            val head = receiveLine() ?: throw IllegalStateException("Redis closed the connection")
            if (head.startsWith("-")) throw IllegalStateException("Redis: ${head.drop(1)}")
            val length = head.removePrefix("$").toIntOrNull()?.takeIf { head.startsWith("$") && it in 0..(1 shl 20) }
                ?: throw IllegalStateException("not a Redis bulk reply: ${head.take(40)}")
            val body = receiveExactly(length + 2)
            if (body.size < length) throw IllegalStateException("Redis reply cut short")
            return body.copyOf(length).toString(Charsets.UTF_8)
        }
        arg("password")?.let { pw ->
            send("*2\r\n$4\r\nAUTH\r\n$${pw.toByteArray().size}\r\n$pw\r\n")
            val ok = receiveLine()
            if (ok != "+OK") return@tcp "ERROR: AUTH failed: ${ok?.take(80)}"
        }
        send("*1\r\n$4\r\nINFO\r\n")
        val info = bulk().lines().map { it.trimEnd('\r') }.filter { ':' in it && !it.startsWith("#") }.associate { it.substringBefore(':') to it.substringAfter(':') }
        val fields = listOf(
            "Version" to info["redis_version"], "Operating System" to info["os"], "Architecture" to info["arch_bits"]?.let { "$it bits" },
            "Process ID" to info["process_id"], "Uptime" to info["uptime_in_seconds"]?.let { "$it seconds" },
            "Used CPU (sys)" to info["used_cpu_sys"], "Used CPU (user)" to info["used_cpu_user"],
            "Connected clients" to info["connected_clients"], "Used memory" to info["used_memory_human"], "Role" to info["role"],
        ).filter { it.second != null }
        if (fields.isEmpty()) return@tcp "ERROR: INFO had no server fields"
        result(fields.joinToString("") { "\n  ${it.first}: ${it.second}" }) { fields.forEach { put(it.first, it.second) } }
    }
}
