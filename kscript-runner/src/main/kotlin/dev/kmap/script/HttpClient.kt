package dev.kmap.script

import dev.kmap.script.internal.Http

/**
 * A small HTTP/1.1 client bound to one port of the target ([ActionContext.http]): plain or TLS
 * (certificates are not checked: this is a scanner), `Connection: close`, Content-Length, chunked
 * or read-to-close bodies, no redirects followed. Each call uses a new connection.
 *
 * ```kotlin
 * val r = http.get("/robots.txt")
 * val allowed = http.request("OPTIONS", "/").header("Allow")
 * ```
 */
public class HttpClient internal constructor(private val context: ActionContext, private val tls: Boolean) {
    /** GET [path]. */
    public suspend fun get(path: String = "/", headers: Map<String, String> = emptyMap()): HttpResponse = request("GET", path, headers)

    /** HEAD [path] (no body is read). */
    public suspend fun head(path: String = "/", headers: Map<String, String> = emptyMap()): HttpResponse = request("HEAD", path, headers)

    /**
     * Sends [method] [path] with [headers] (Host, User-Agent and Connection are added unless given)
     * and [body]; returns the response, at most [maxBody] bytes of it.
     */
    public suspend fun request(
        method: String, path: String, headers: Map<String, String> = emptyMap(), body: ByteArray? = null, maxBody: Int = 1 shl 20,
    ): HttpResponse {
        val connection = if (tls) context.tlsConnect() else context.connect()
        return connection.use { Http.exchange(it, context.hostHeader(), method, path, headers, body, maxBody) }
    }
}
