// mysql-info: what a MySQL/MariaDB server says in its handshake (nmap's mysql-info.nse).
import dev.kmap.script.proto.MysqlHandshake

description = "Reads the initial handshake of a MySQL or MariaDB server: protocol, version, connection (thread) id, capabilities, status and authentication plugin. No login is attempted."
categories("default", "discovery", "safe")
argument("timeout", "seconds to wait for each reply", "5")

portRule(Shortport.portOrService(listOf(3306), listOf("mysql")))

action {
    val wait = arg("timeout", "5").toDoubleOrNull()?.takeIf { it > 0 }?.seconds ?: error("mysql-info.timeout must be a number of seconds: ${arg("timeout")}")
    val packet = tcp(timeout = wait) {
        val head = receiveExactly(4)
        if (head.size < 4) return@tcp head
        val length = (head[0].toInt() and 0xff) or ((head[1].toInt() and 0xff) shl 8) or ((head[2].toInt() and 0xff) shl 16)
        head + receiveExactly(minOf(length, 65536))
    }
    if (packet.isEmpty()) return@action null
    val hs = MysqlHandshake.parse(packet)
    val lines = listOfNotNull(
        "Protocol: ${hs.protocol}", "Version: ${hs.version}", "Thread ID: ${hs.threadId}",
        "Capabilities flags: ${hs.capabilities and 0xffff}", "Some Capabilities: ${hs.capabilityNames.joinToString(", ")}",
        "Status: ${if (hs.status and 2 != 0) "Autocommit" else hs.status.toString()}",
        hs.authPlugin?.let { "Auth Plugin Name: $it" },
    )
    result(lines.joinToString("") { "\n  $it" }) {
        put("Protocol", hs.protocol); put("Version", hs.version); put("Thread ID", hs.threadId)
        put("Capabilities flags", hs.capabilities and 0xffff)
        table("Some Capabilities") { hs.capabilityNames.forEach { add(it) } }
        put("Status", hs.status)
        put("Auth Plugin Name", hs.authPlugin)
    }
}
