// smtp-commands: the extensions an SMTP server lists after EHLO (nmap's smtp-commands.nse).
description = "Says EHLO to an SMTP server and shows the extensions it announces (and, with smtp-commands.help, what HELP says), then quits without sending mail."
categories("default", "discovery", "safe")
argument("domain", "the name given in EHLO", "kmap.invalid")
argument("help", "also send HELP (true/false)", "false")

portRule(Shortport.portOrService(listOf(25, 465, 587), listOf("smtp", "smtps", "submission")))

action {
    val help = arg("help", "false").toBooleanStrictOrNull() ?: error("smtp-commands.help must be true or false")
    tcp {
        suspend fun reply(): Pair<Int, List<String>> {
            val lines = ArrayList<String>()
            while (lines.size < 200) {
                val line = receiveLine() ?: break
                lines += line
                if (line.length < 4 || line[3] != '-') break
            }
            val code = lines.lastOrNull()?.take(3)?.toIntOrNull() ?: throw IllegalStateException("not an SMTP reply: ${lines.firstOrNull()?.take(80)}")
            return code to lines.map { it.drop(4) }
        }
        val (greeting, _) = reply()
        if (greeting != 220) return@tcp "ERROR: SMTP greeting $greeting"
        send("EHLO ${arg("domain", "kmap.invalid")}\r\n")
        val (code, lines) = reply()
        if (code != 250) return@tcp "ERROR: EHLO answered $code ${lines.joinToString(" ")}"
        val hello = lines.first()
        val extensions = lines.drop(1)
        val helpLines = if (help) { send("HELP\r\n"); reply().second } else emptyList()
        runCatching { send("QUIT\r\n") }
        result("$hello, ${extensions.joinToString(", ")}" + helpLines.joinToString("") { "\n  $it" }) {
            put("hello", hello)
            table("extensions") { extensions.forEach { add(it) } }
            if (help) table("help") { helpLines.forEach { add(it) } }
        }
    }
}
