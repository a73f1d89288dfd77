// ssh-auth-methods: the authentication methods an SSH server offers a user (nmap's ssh-auth-methods.nse).
import dev.kmap.script.proto.SshClient

description = "Completes an SSH key exchange (curve25519-sha256, aes128-ctr, hmac-sha2-256) and asks to log in as a user with the \"none\" method; the server's refusal lists the methods it supports for that user."
categories("auth", "intrusive")
argument("username", "the user name to ask about", "root")

portRule(Shortport.portOrService(listOf(22), listOf("ssh")))

action {
    val user = arg("username", "root")
    val methods = tcp { SshClient(this).run { exchangeVersions(); authMethods(user) } }
    val text = if (methods == listOf("none")) "\n  $user may log in without authentication (none)"
        else "\n  Supported authentication methods:\n" + methods.joinToString("\n") { "    $it" }
    result(text) {
        put("user", user)
        table("Supported authentication methods") { methods.forEach { add(it) } }
    }
}
