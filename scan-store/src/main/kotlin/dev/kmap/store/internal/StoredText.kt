package dev.kmap.store.internal

import kotlinx.serialization.builtins.serializer
import kotlinx.serialization.json.Json

/**
 * Text a peer controls (banners, script output, names) may hold NUL, which PostgreSQL's `text`
 * cannot store. Such a string (and any string starting with the marker) is stored as the marker
 * followed by its JSON string literal, which escapes every control character; everything else is
 * stored as it is, so ordinary values stay readable and searchable in SQL.
 */
internal object StoredText {
    private const val MARKER = '\u0001'
    private val json = Json

    fun encode(text: String): String =
        if (text.indexOf('\u0000') < 0 && (text.isEmpty() || text[0] != MARKER)) text
        else MARKER + json.encodeToString(String.serializer(), text)

    fun encodeOrNull(text: String?): String? = text?.let(::encode)

    fun decode(stored: String): String =
        if (stored.isEmpty() || stored[0] != MARKER) stored
        else json.decodeFromString(String.serializer(), stored.substring(1))

    fun decodeOrNull(stored: String?): String? = stored?.let(::decode)
}
