// memcached-info: version and statistics of a memcached server (nmap's memcached-info.nse).
description = "Sends the text-protocol stats command to memcached and shows its version, process id, uptime, server time, architecture, CPU, connections and item counts."
categories("discovery", "safe")
argument("timeout", "seconds to wait for each reply", "5")

portRule(Shortport.portOrService(listOf(11211), listOf("memcached")))

action {
    val wait = arg("timeout", "5").toDoubleOrNull()?.takeIf { it > 0 }?.seconds ?: error("memcached-info.timeout must be a number of seconds: ${arg("timeout")}")
    val stats = tcp(timeout = wait) {
        send("stats\r\n")
        val map = LinkedHashMap<String, String>()
        while (map.size < 500) {
            val line = receiveLine() ?: break
            if (line == "END") break
            if (line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR") || line.startsWith("SERVER_ERROR")) throw IllegalStateException("memcached: $line")
            val parts = line.split(' ')
            if (parts.size < 3 || parts[0] != "STAT") throw IllegalStateException("not a memcached stats line: ${line.take(80)}")
            map[parts[1]] = parts.drop(2).joinToString(" ")
        }
        map
    }
    if (stats.isEmpty()) return@action null
    val fields = listOf(
        "Version" to stats["version"], "Process ID" to stats["pid"], "Uptime" to stats["uptime"]?.let { "$it seconds" },
        "Server time" to stats["time"]?.toLongOrNull()?.let { java.time.Instant.ofEpochSecond(it).toString() },
        "Architecture" to stats["pointer_size"]?.let { "$it bit" },
        "Used CPU (user)" to stats["rusage_user"], "Used CPU (system)" to stats["rusage_system"],
        "Current connections" to stats["curr_connections"], "Total connections" to stats["total_connections"],
        "Maximum connections" to stats["max_connections"], "Current items" to stats["curr_items"],
        "Authentication" to "no",
    ).filter { it.second != null }
    result(fields.joinToString("") { "\n  ${it.first}: ${it.second}" }) { fields.forEach { put(it.first, it.second) } }
}
