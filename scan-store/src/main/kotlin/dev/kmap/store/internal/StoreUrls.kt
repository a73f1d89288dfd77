package dev.kmap.store.internal

import java.io.File

/** Store locations: the default file, what `--store` accepts, and URLs safe to print. */
internal object StoreUrls {
    fun defaultDirectory(): File = File(System.getProperty("user.home"), ".kmap")

    fun defaultUrl(): String = "jdbc:sqlite:" + File(defaultDirectory(), "kmap.db").path

    /**
     * A JDBC URL from what a user typed: a JDBC URL as it is, `postgresql://…` / `postgres://…`
     * with `jdbc:` added, anything else a file path for SQLite.
     */
    fun normalize(text: String): String = when {
        text.startsWith("jdbc:") -> text
        text.startsWith("postgresql://") -> "jdbc:$text"
        text.startsWith("postgres://") -> "jdbc:postgresql://" + text.removePrefix("postgres://")
        else -> "jdbc:sqlite:$text"
    }

    /** The file of a `jdbc:sqlite:` URL, or null for an in-memory database. */
    fun sqlitePath(url: String): String? {
        val rest = url.removePrefix("jdbc:sqlite:").substringBefore('?').removePrefix("file:")
        return if (rest.isEmpty() || rest == ":memory:" || rest.startsWith(":resource:")) null else rest
    }

    private val PASSWORD_PARAM = Regex("(?i)([?&;](password|pass|pwd|sslpassword)=)[^&;]*")
    private val USER_INFO = Regex("^(jdbc:[a-z]+://[^/@:]*):[^/@]*@")

    /** [url] with passwords replaced by `***` (in the query and in `user:password@`). */
    fun redact(url: String): String = url.replace(PASSWORD_PARAM, "$1***").replace(USER_INFO, "$1:***@")
}
