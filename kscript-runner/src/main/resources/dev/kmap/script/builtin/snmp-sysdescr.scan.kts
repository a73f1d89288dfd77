// snmp-sysdescr: an SNMP agent's system description (nmap's snmp-sysdescr.nse).
import dev.kmap.script.proto.Ber

description = "Sends an SNMP GET for sysDescr.0 and sysUpTime.0 with a community string (public by default) and shows the description and the agent's uptime."
categories("default", "discovery", "safe")
argument("community", "the community string", "public")
argument("version", "SNMP version: 1 or 2c", "1")

portRule(Shortport.portNumber(listOf(161), setOf(Protocol.UDP), setOf(PortState.OPEN, PortState.OPEN_FILTERED)))

action {
    val version = when (arg("version", "1")) { "1" -> 0L; "2c", "2" -> 1L; else -> error("snmp-sysdescr.version must be 1 or 2c: ${arg("version")}") }
    val requestId = (1L..0x7fffffffL).random()
    val request = Ber.constructed(Ber.SEQUENCE, Ber.integer(version), Ber.string(arg("community", "public")),
        Ber.constructed(0xA0, Ber.integer(requestId), Ber.integer(0), Ber.integer(0), Ber.constructed(Ber.SEQUENCE,
            Ber.constructed(Ber.SEQUENCE, Ber.oid("1.3.6.1.2.1.1.1.0"), Ber.nullValue()),
            Ber.constructed(Ber.SEQUENCE, Ber.oid("1.3.6.1.2.1.1.3.0"), Ber.nullValue()))))
    val reply = udp { send(request.encode()); receive() } ?: return@action null
    val message = Ber.decode(reply).children
    val pdu = message.getOrNull(2)?.takeIf { it.tag == 0xA2 } ?: return@action "ERROR: not an SNMP response"
    val (id, status) = pdu.children.let { (it.getOrNull(0)?.integer() ?: -1) to (it.getOrNull(1)?.integer() ?: -1) }
    if (id != requestId) return@action "ERROR: SNMP response for another request ($id)"
    if (status != 0L) return@action "ERROR: SNMP error status $status"
    val values = pdu.children.getOrNull(3)?.children.orEmpty().associate { vb -> vb.children.getOrNull(0)?.oidString() to vb.children.getOrNull(1) }
    val descr = values["1.3.6.1.2.1.1.1.0"]?.takeIf { it.tag == Ber.OCTET_STRING }?.text() ?: return@action null
    val ticks = values["1.3.6.1.2.1.1.3.0"]?.takeIf { it.tag == 0x43 }?.unsigned()
    val uptime = ticks?.let { t -> "%d days, %d:%02d:%02d.%02d (%d timeticks)".format(t / 8640000, t / 360000 % 24, t / 6000 % 60, t / 100 % 60, t % 100, t) }
    result(descr + (uptime?.let { "\n  System uptime: $it" } ?: "")) {
        put("sysDescr", descr)
        put("sysUpTime", ticks)
    }
}
