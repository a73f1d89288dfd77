package dev.kmap.dsl.internal

import dev.kmap.dsl.InternalKmapApi
import dev.kmap.dsl.InvalidSpecException
import kotlinx.serialization.DeserializationStrategy
import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json

/**
 * Reads kmap's JSON documents (plans, expectations, baselines): the value, or
 * [InvalidSpecException] with one line naming the document, whatever the JSON library throws
 * (including an index error its reader raises on some truncated strings).
 *
 * ```kotlin
 * JsonDocuments.decode(json, ScanPlan.serializer(), text, "scan plan")
 * ```
 */
@InternalKmapApi
public object JsonDocuments {
    public fun <T> decode(json: Json, deserializer: DeserializationStrategy<T>, text: String, what: String): T = try {
        json.decodeFromString(deserializer, text)
    } catch (e: InvalidSpecException) {
        throw e
    } catch (e: SerializationException) {
        throw InvalidSpecException("invalid $what JSON: ${oneLine(e.message)}")
    } catch (e: IllegalArgumentException) {
        throw InvalidSpecException("invalid $what JSON: ${oneLine(e.message)}")
    } catch (e: IndexOutOfBoundsException) {
        throw InvalidSpecException("invalid $what JSON: it ends inside a value")
    }

    private fun oneLine(message: String?): String = (message ?: "unreadable").lineSequence().first().take(200)
}
