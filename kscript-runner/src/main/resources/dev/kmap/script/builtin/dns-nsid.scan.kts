// dns-nsid: a DNS server's identity (nmap's dns-nsid.nse).
import dev.kmap.script.proto.DnsMessage

description = "Asks a DNS server who it is: the EDNS NSID option (RFC 5001) and the CHAOS TXT records id.server and version.bind."
categories("discovery", "default", "safe")
argument("timeout", "seconds to wait for each reply", "5")

portRule(Shortport.portNumber(listOf(53), setOf(Protocol.UDP, Protocol.TCP), setOf(PortState.OPEN, PortState.OPEN_FILTERED)))

action {
    val wait = arg("timeout", "5").toDoubleOrNull()?.takeIf { it > 0 }?.seconds ?: error("dns-nsid.timeout must be a number of seconds: ${arg("timeout")}")
    val tcpPort = port?.protocol == Protocol.TCP
    suspend fun ask(name: String, nsid: Boolean): DnsMessage? {
        val query = DnsMessage.query(name, DnsMessage.TXT, DnsMessage.CH, nsid = nsid)
        val reply = if (tcpPort) tcp(timeout = wait) {
            send(byteArrayOf((query.size ushr 8).toByte(), query.size.toByte()) + query)
            val len = receiveExactly(2)
            if (len.size < 2) null else receiveExactly(((len[0].toInt() and 0xff) shl 8) or (len[1].toInt() and 0xff))
        } else udp(timeout = wait) { send(query); receive() }
        val message = reply?.takeIf { it.isNotEmpty() }?.let { DnsMessage.parse(it) } ?: return null
        if (!message.isResponse || message.id != DnsMessage.parse(query).id) error("not a DNS response to the query for $name")
        return message
    }
    val id = ask("id.server", nsid = true)
    val version = ask("version.bind", nsid = false)
    val nsid = id?.nsid
    val idServer = id?.takeIf { it.rcode == 0 }?.answers?.firstNotNullOfOrNull { it.text }
    val bindVersion = version?.takeIf { it.rcode == 0 }?.answers?.firstNotNullOfOrNull { it.text }
    if (nsid == null && idServer == null && bindVersion == null) return@action null
    val nsidText = nsid?.let { b -> String(b, Charsets.UTF_8).takeIf { s -> s.all { it.code in 0x20..0x7e } } }
    val nsidHex = nsid?.joinToString("") { "%02x".format(it) }
    val lines = listOfNotNull(
        nsid?.let { "NSID: " + (nsidText?.let { "$it ($nsidHex)" } ?: nsidHex) },
        idServer?.let { "id.server: $it" },
        bindVersion?.let { "bind.version: $it" },
    )
    result(lines.joinToString("") { "\n  $it" }) {
        put("NSID", nsidText ?: nsidHex); put("NSID_hex", nsidHex)
        put("id.server", idServer); put("bind.version", bindVersion)
    }
}
