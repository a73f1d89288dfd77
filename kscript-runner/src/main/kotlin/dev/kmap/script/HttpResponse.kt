package dev.kmap.script

/**
 * An HTTP response: [status] code, the [statusLine] as sent, [headers] in order as sent (names as
 * the server spelled them) and the [body] (decoded per the `charset` of Content-Type, UTF-8 by
 * default; raw bytes in [bodyBytes]).
 *
 * ```kotlin
 * val r = http.get("/")
 * if (r.status == 200) r.header("Server")
 * ```
 */
public class HttpResponse(
    public val status: Int,
    public val statusLine: String,
    public val headers: List<Pair<String, String>>,
    public val bodyBytes: ByteArray,
) {
    /** The body as text. */
    public val body: String by lazy {
        val charset = header("Content-Type")?.let { Regex("charset=\"?([A-Za-z0-9_.:-]+)", RegexOption.IGNORE_CASE).find(it)?.groupValues?.get(1) }
        val cs = charset?.let { runCatching { charset(it) }.getOrNull() } ?: Charsets.UTF_8
        bodyBytes.toString(cs)
    }

    /** The first value of header [name] (case-insensitive), or null. */
    public fun header(name: String): String? = headers.firstOrNull { it.first.equals(name, ignoreCase = true) }?.second

    /** Every value of header [name] (case-insensitive). */
    public fun headers(name: String): List<String> = headers.filter { it.first.equals(name, ignoreCase = true) }.map { it.second }
}
