// dns-recursion: whether a DNS server resolves names it is not authoritative for (nmap's
// dns-recursion.nse, which prints nothing when recursion is off; this one says so).
import dev.kmap.script.proto.DnsMessage

description = "Asks a DNS server for a name outside its zones with recursion desired (RD) and reports whether it offers recursion (RA set and an answer) or refuses. Only the target receives a packet; whatever the server then does is its own business."
categories("default", "safe")
argument("domain", "the name to ask for", "scanme.nmap.org")

portRule(Shortport.portNumber(listOf(53), setOf(Protocol.UDP), setOf(PortState.OPEN, PortState.OPEN_FILTERED)))

action {
    val name = arg("domain", "scanme.nmap.org")
    val query = DnsMessage.query(name, DnsMessage.A, recursionDesired = true)
    val reply = udp { send(query); receive() }?.let { DnsMessage.parse(it) } ?: return@action null
    if (!reply.isResponse || reply.id != DnsMessage.parse(query).id) error("not a DNS response to the query for $name")
    val recursive = reply.recursionAvailable && reply.rcode == 0
    val rcode = DnsMessage.rcodeName(reply.rcode)
    val text = if (recursive) "Recursion appears to be enabled"
        else "Recursion appears to be disabled (RA ${if (reply.recursionAvailable) "set" else "not set"}, $rcode for $name)"
    result(text) {
        put("recursion", recursive)
        put("ra", reply.recursionAvailable)
        put("rcode", rcode)
        if (recursive) table("answers") { reply.answers.mapNotNull { it.address }.forEach { add(it) } }
    }
}
