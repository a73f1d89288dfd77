package dev.kmap.script

/**
 * Text helpers for services' raw bytes, as nmap shows them.
 *
 * ```kotlin
 * Banner.escape("SSH-2.0-x\r\n".toByteArray()) // "SSH-2.0-x\r\n" with the controls written as \r and \n
 * ```
 */
public object Banner {
    /**
     * [bytes] as printable ASCII: `\r`, `\n`, `\t` as those escapes, other bytes outside
     * 0x20..0x7e as `\xHH`; one trailing line break is dropped first.
     */
    public fun escape(bytes: ByteArray): String {
        var end = bytes.size
        if (end > 0 && bytes[end - 1] == '\n'.code.toByte()) end--
        if (end > 0 && bytes[end - 1] == '\r'.code.toByte()) end--
        val sb = StringBuilder(end)
        for (i in 0 until end) {
            val b = bytes[i].toInt() and 0xff
            when {
                b == '\r'.code -> sb.append("\\r")
                b == '\n'.code -> sb.append("\\n")
                b == '\t'.code -> sb.append("\\t")
                b == '\\'.code -> sb.append("\\\\")
                b in 0x20..0x7e -> sb.append(b.toChar())
                else -> sb.append("\\x%02X".format(b))
            }
        }
        return sb.toString()
    }
}
