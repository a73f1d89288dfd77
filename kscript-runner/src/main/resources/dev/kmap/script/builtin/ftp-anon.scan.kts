// ftp-anon: whether an FTP server lets anonymous users in (nmap's ftp-anon.nse).
description = "Logs in to an FTP server as anonymous and, if that works, lists a directory (the login directory by default) over a passive data connection to the same host."
categories("default", "auth", "safe")
argument("user", "the anonymous user name", "anonymous")
argument("password", "the anonymous password", "IEUser@")
argument("path", "the directory to list", "")
argument("maxlist", "the most listing lines shown (0: no listing)", "20")

portRule(Shortport.portOrService(listOf(21), listOf("ftp")))

action {
    val maxList = arg("maxlist", "20").toIntOrNull()?.takeIf { it >= 0 } ?: error("ftp-anon.maxlist must be a number >= 0: ${arg("maxlist")}")
    tcp {
        // an FTP reply: lines until "ddd " (multi-line replies start with "ddd-")
        suspend fun reply(): Pair<Int, String> {
            val lines = ArrayList<String>()
            while (lines.size < 200) {
                val line = receiveLine() ?: break
                lines += line
                if (line.length >= 4 && line[3] == ' ' && line.take(3).all { it.isDigit() }) break
                if (line.length == 3 && line.all { it.isDigit() }) break
            }
            val code = lines.lastOrNull()?.take(3)?.toIntOrNull() ?: throw IllegalStateException("not an FTP reply: ${lines.firstOrNull()?.take(80)}")
            return code to lines.joinToString("\n")
        }
        val (greeting, _) = reply()
        if (greeting != 220) return@tcp "ERROR: FTP greeting $greeting"
        send("USER ${arg("user", "anonymous")}\r\n")
        var (code, text) = reply()
        if (code == 331) { send("PASS ${arg("password", "IEUser@")}\r\n"); reply().let { code = it.first; text = it.second } }
        if (code != 230) return@tcp null
        val listing = ArrayList<String>()
        if (maxList > 0) {
            send("PASV\r\n")
            val (pasvCode, pasv) = reply()
            val port = Regex("(\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)").find(pasv)?.groupValues?.let { it[5].toInt() * 256 + it[6].toInt() }
            if (pasvCode == 227 && port != null && port in 1..65535) {
                // the data connection goes to the scanned host, whatever address the reply names
                connect(port).use { data ->
                    val path = arg("path", "")
                    send(if (path.isEmpty()) "LIST\r\n" else "LIST $path\r\n")
                    val (listCode, _) = reply()
                    if (listCode == 150 || listCode == 125) {
                        listing += data.receiveText(1 shl 20).lines().map { it.trimEnd('\r') }.filter { it.isNotBlank() }
                        reply()
                    }
                }
            }
        }
        runCatching { send("QUIT\r\n") }
        val shown = listing.take(maxList)
        val names = listing.map { it.split(Regex("\\s+"), 9).last() }
        result("Anonymous FTP login allowed (FTP code $code)" + shown.joinToString("") { "\n  $it" } + (if (listing.size > shown.size) "\n  Only ${shown.size} shown. Raise ftp-anon.maxlist to see more." else "")) {
            put("anonymous", true)
            put("code", code)
            if (maxList > 0) table("files") { names.forEach { add(it) } }
        }
    }
}
