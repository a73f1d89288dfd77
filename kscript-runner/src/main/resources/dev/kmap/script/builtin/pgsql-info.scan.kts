// pgsql-info: the authentication a PostgreSQL server asks for and, with credentials, its version
// (nmap has no such script; categories as its other safe info scripts).
import dev.kmap.script.proto.PgsqlSession

description = "Sends a PostgreSQL startup message and reports the authentication method the server asks for (trust, cleartext, MD5, SCRAM-SHA-256); given pgsql-info.password it logs in (SCRAM-SHA-256, MD5 or cleartext) and reports server_version and the other parameters."
categories("discovery", "safe")
argument("user", "the user name in the startup message", "postgres")
argument("database", "the database in the startup message (the user name by default)")
argument("password", "a password to log in with (no login attempt without one)")

portRule(Shortport.portOrService(listOf(5432), listOf("postgresql")))

action {
    val user = arg("user", "postgres")
    val pg = tcp { PgsqlSession(this).start(user, arg("database", user), arg("password")) }
    val version = pg.parameters["server_version"]
    val lines = listOfNotNull(
        "Authentication: ${pg.authMethod}",
        if (pg.authenticated) "Login: $user succeeded" else null,
        version?.let { "Server version: $it" },
        pg.error?.let { "Error: $it" },
    )
    result(lines.joinToString("") { "\n  $it" }) {
        put("auth", pg.authMethod)
        put("authenticated", pg.authenticated)
        put("server_version", version)
        put("error", pg.error)
        if (pg.parameters.isNotEmpty()) table("parameters") { pg.parameters.forEach { (k, v) -> put(k, v) } }
    }
}
