// vnc-info: an RFB (VNC) server's protocol version and security types (nmap's vnc-info.nse).
description = "Reads a VNC server's RFB protocol version and the security types it offers; when it offers None, it also completes the handshake (as a shared client) to read the desktop name and size."
categories("default", "discovery", "safe")
argument("desktop", "read the desktop name when security type None is offered (true/false)", "true")

portRule(Shortport.portOrService((5900..5910).toList(), listOf("vnc")))

action {
    val readDesktop = arg("desktop", "true").toBooleanStrictOrNull() ?: error("vnc-info.desktop must be true or false")
    val names = mapOf(0 to "Invalid", 1 to "None", 2 to "VNC Authentication", 5 to "RA2", 6 to "RA2ne", 16 to "Tight", 17 to "Ultra", 18 to "TLS", 19 to "VeNCrypt", 20 to "GTK-VNC SASL", 21 to "MD5 hash authentication", 22 to "Colin Dean xvp", 30 to "Apple Remote Desktop", 113 to "MSLogonII")
    tcp {
        val hello = receiveExactly(12).toString(Charsets.ISO_8859_1)
        val m = Regex("RFB (\\d{3})\\.(\\d{3})\n").matchEntire(hello) ?: return@tcp if (hello.isEmpty()) null else "ERROR: not an RFB server: ${Banner.escape(hello.toByteArray(Charsets.ISO_8859_1))}"
        val major = m.groupValues[1].toInt(); val minor = m.groupValues[2].toInt()
        val version = "$major.$minor"
        val reply = if (major == 3 && minor < 7) "RFB 003.003\n" else if (major == 3 && minor == 7) "RFB 003.007\n" else "RFB 003.008\n"
        send(reply)
        suspend fun u32(): Long { val b = receiveExactly(4); if (b.size < 4) throw IllegalStateException("RFB reply cut short"); return b.fold(0L) { a, x -> (a shl 8) or (x.toLong() and 0xff) } }
        val types: List<Int>
        var failure: String? = null
        if (reply == "RFB 003.003\n") {
            types = listOf(u32().toInt())
        } else {
            val count = receiveExactly(1).firstOrNull()?.toInt()?.and(0xff) ?: throw IllegalStateException("RFB reply cut short")
            types = receiveExactly(count).map { it.toInt() and 0xff }
            if (types.size < count) throw IllegalStateException("RFB security types cut short")
        }
        if (types == listOf(0)) failure = u32().let { n -> receiveExactly(n.toInt().coerceIn(0, 4096)).toString(Charsets.UTF_8) }
        var desktop: String? = null
        var size: String? = null
        if (readDesktop && 1 in types) {
            if (reply != "RFB 003.003\n") send(byteArrayOf(1))
            if (reply == "RFB 003.008\n" && u32() != 0L) throw IllegalStateException("RFB security None refused")
            send(byteArrayOf(1))
            val init = receiveExactly(24)
            if (init.size < 24) throw IllegalStateException("RFB ServerInit cut short")
            size = "${((init[0].toInt() and 0xff) shl 8) or (init[1].toInt() and 0xff)}x${((init[2].toInt() and 0xff) shl 8) or (init[3].toInt() and 0xff)}"
            val n = init.copyOfRange(20, 24).fold(0L) { a, x -> (a shl 8) or (x.toLong() and 0xff) }
            desktop = receiveExactly(n.toInt().coerceIn(0, 4096)).toString(Charsets.UTF_8)
        }
        val typeNames = types.filter { it != 0 }.map { "${names[it] ?: "Unknown security type"} ($it)" }
        val lines = listOf("Protocol version: $version") +
            (if (typeNames.isEmpty()) emptyList() else listOf("Security types:") + typeNames.map { "  $it" }) +
            listOfNotNull(failure?.let { "Error: $it" }, desktop?.let { "Desktop name: $it" }, size?.let { "Desktop size: $it" })
        result(lines.joinToString("") { "\n  $it" }) {
            put("Protocol version", version)
            table("Security types") { types.filter { it != 0 }.forEach { t -> put(names[t] ?: "Unknown security type", t) } }
            put("Error", failure); put("Desktop name", desktop); put("Desktop size", size)
        }
    }
}
