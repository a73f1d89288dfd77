// ssh-hostkey: the SSH server's host keys (nmap's ssh-hostkey.nse).
import dev.kmap.script.proto.SshClient
import dev.kmap.script.proto.SshHostKey

description = "Reads each host key an SSH server has (one curve25519-sha256 key exchange per key type it offers) and shows its size, fingerprint and type as ssh-keygen -l does."
categories("safe", "default", "discovery")
argument("hash", "fingerprint hash shown: sha256 or md5", "sha256")
argument("known-hosts", "also show the keys as in known_hosts (true/false)", "false")

portRule(Shortport.portOrService(listOf(22), listOf("ssh")))

action {
    val hash = arg("hash", "sha256").lowercase().takeIf { it == "sha256" || it == "md5" } ?: error("ssh-hostkey.hash must be sha256 or md5: ${arg("hash")}")
    val knownHosts = arg("known-hosts", "false").toBooleanStrictOrNull() ?: error("ssh-hostkey.known-hosts must be true or false")
    val offered = tcp { SshClient(this).run { exchangeVersions(); serverKexInit() } }["hostkey"].orEmpty()
    val order = listOf("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-dss")
    val keys = LinkedHashMap<String, SshHostKey>()
    for (alg in order.filter { it in offered }) {
        val key = tcp { SshClient(this).run { exchangeVersions(); hostKey(alg) } }
        keys.putIfAbsent(key.type, key)
    }
    if (keys.isEmpty()) return@action "ERROR: the server offers no host key type known here: $offered"
    val ordered = keys.values.sortedBy { listOf("DSA", "RSA", "ECDSA", "ED25519").indexOf(it.type) }
    val text = ordered.joinToString("") { k -> "\n  ${k.bits} ${if (hash == "md5") k.md5 else k.sha256} (${k.type})" + (if (knownHosts) "\n  ${k.publicKey}" else "") }
    result(text) {
        ordered.forEach { k ->
            table(null) {
                put("type", k.algorithm); put("bits", k.bits); put("fingerprint", k.sha256); put("md5", k.md5)
                put("key", k.publicKey.substringAfter(' '))
            }
        }
    }
}
