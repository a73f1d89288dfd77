// banner: what a TCP service says first (nmap's banner.nse).
description = "Connects to an open TCP port and prints what the service sends first, non-printable bytes escaped."
categories("discovery", "safe")
argument("timeout", "seconds to wait for the first bytes", "5")
argument("length", "the most bytes shown", "80")

portRule(Shortport.anyOpenTcp)

action {
    val wait = arg("timeout", "5").toDoubleOrNull()?.seconds ?: error("banner.timeout must be a number of seconds")
    val length = arg("length", "80").toIntOrNull() ?: error("banner.length must be a number of bytes")
    val bytes = tcp(timeout = wait) { receiveBytes(2048) }
    if (bytes.isEmpty()) return@action null
    val text = Banner.escape(bytes.copyOf(minOf(bytes.size, length)))
    result(text) { put("banner", text) }
}
