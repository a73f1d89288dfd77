// ntp-info: time and state of an NTP server (nmap's ntp-info.nse).
import dev.kmap.script.proto.NtpPacket

description = "Sends an NTP client (mode 3) request and shows the server's reply: version, stratum, reference id, precision, root delay and dispersion and its receive time. Then tries a mode 6 (control) READVAR request, which ntpd answers with its variables and chrony ignores, and says which."
categories("default", "discovery", "safe")
argument("mode6", "also try a mode 6 READVAR request (true/false)", "true")
argument("mode6-timeout", "seconds to wait for a mode 6 reply", "1")

portRule(Shortport.portNumber(listOf(123), setOf(Protocol.UDP), setOf(PortState.OPEN, PortState.OPEN_FILTERED)))

action {
    val mode6 = arg("mode6", "true").toBooleanStrictOrNull() ?: error("ntp-info.mode6 must be true or false")
    val mode6Wait = arg("mode6-timeout", "1").toDoubleOrNull()?.takeIf { it > 0 }?.seconds ?: error("ntp-info.mode6-timeout must be a number of seconds")
    val reply = udp { send(NtpPacket.clientRequest()); receive() } ?: return@action null
    val ntp = NtpPacket.parse(reply)
    if (ntp.mode != 4) return@action "ERROR: NTP reply in mode ${ntp.mode}, expected 4 (server)"
    val variables = if (!mode6) null else udp(timeout = mode6Wait) {
        send(NtpPacket.controlReadVariables())
        receive()?.takeIf { it.size > 12 }?.let { String(it, 12, it.size - 12, Charsets.ISO_8859_1).trimEnd('\u0000', '\r', '\n') }
    }
    val lines = listOfNotNull(
        "receive time stamp: ${ntp.receiveTime}",
        "version: ${ntp.version}", "stratum: ${ntp.stratum}", "refid: ${ntp.refid}",
        "precision: 2^${ntp.precision}", "root delay: ${ntp.rootDelay}", "root dispersion: ${ntp.rootDispersion}",
        if (!mode6) null else if (variables == null) "mode 6: no reply (not ntpd, or control queries disabled)" else "mode 6: $variables",
    )
    result(lines.joinToString("") { "\n  $it" }) {
        put("receive time stamp", ntp.receiveTime); put("version", ntp.version); put("stratum", ntp.stratum)
        put("refid", ntp.refid); put("refid_hex", ntp.refidHex); put("precision", ntp.precision)
        put("root delay", ntp.rootDelay); put("root dispersion", ntp.rootDispersion)
        if (mode6) put("mode6", variables ?: "no reply")
    }
}
