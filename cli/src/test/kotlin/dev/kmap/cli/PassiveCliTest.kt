package dev.kmap.cli

import dev.kmap.passive.CaptureFileWriter
import org.junit.jupiter.api.io.TempDir
import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** `kmap passive` on a capture the test writes: outputs as a scan's, one-line errors. */
class PassiveCliTest {
    @TempDir lateinit var dir: Path

    private fun frame(src: Int, sport: Int, dst: Int, dport: Int, seq: Int, ack: Int, flags: Int, payload: String = ""): ByteArray {
        val data = payload.toByteArray()
        val b = ByteBuffer.allocate(14 + 20 + 20 + data.size)
        b.put(byteArrayOf(2, 0x6b, 0x6d, 0, 1, 1, 2, 0x6b, 0x6d, 0, 2, (src and 0xff).toByte())).putShort(0x0800.toShort())
        b.put(0x45).put(0).putShort((40 + data.size).toShort()).putShort(1.toShort()).putShort(0x4000.toShort()).put(64).put(6).putShort(0.toShort()).putInt(src).putInt(dst)
        b.putShort(sport.toShort()).putShort(dport.toShort()).putInt(seq).putInt(ack).put(0x50).put(flags.toByte()).putShort(64240.toShort()).putInt(0).put(data)
        return b.array()
    }

    private fun capture(): Path {
        val c = 0x0af70001; val s = 0x0af7000b
        val req = "GET /x HTTP/1.1\r\nHost: www.kmap.lab\r\n\r\n"
        val resp = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\n\r\n"
        val frames = listOf(
            frame(c, 40000, s, 80, 100, 0, 2), frame(s, 80, c, 40000, 500, 101, 0x12), frame(c, 40000, s, 80, 101, 501, 0x10),
            frame(c, 40000, s, 80, 101, 501, 0x18, req), frame(s, 80, c, 40000, 501, 101 + req.length, 0x18, resp),
        )
        val p = dir.resolve("c.pcapng")
        CaptureFileWriter(Files.newOutputStream(p), CaptureFileWriter.Format.PCAPNG, 1).use { w -> frames.forEachIndexed { i, f -> w.frame(f, 0, f.size, f.size, 1_700_000_000_000_000_000L + i * 1000L) } }
        return p
    }

    @Test
    fun `outputs are those of a scan, valid nmap XML with the observed ports`() {
        val xml = dir.resolve("p.xml")
        val r = test(listOf("passive", "-r", capture().toString(), "-oX", xml.toString(), "-oJ", dir.resolve("p.json").toString()))
        assertEquals(0, r.code, r.err)
        assertTrue("80/tcp open  http" in r.out, r.out)
        assertTrue("product: nginx 1.22.1" in r.out, r.out)
        val doc = Files.readString(xml)
        assertValidNmapXml(doc)
        assertTrue("<port protocol=\"tcp\" portid=\"80\"><state state=\"open\" reason=\"syn-ack\"" in doc, doc)
        assertTrue("addrtype=\"mac\"" in doc)
        assertTrue("\"mac\":\"02:6b:6d:00:02:0b\"" in Files.readString(dir.resolve("p.json")))
    }

    @Test
    fun `bad input gets one line and exit 2`() {
        val cases = listOf(
            listOf("passive") to "kmap: kmap passive needs -r FILE or -i IFACE",
            listOf("passive", "-r", dir.resolve("missing.pcap").toString()) to "kmap: cannot read -r file \"${dir.resolve("missing.pcap")}\": no such file",
            listOf("passive", "-r", capture().toString(), "-f", "tcp") to "kmap: -f needs -i IFACE",
        )
        for ((argv, line) in cases) {
            val r = test(argv)
            assertEquals(2, r.code, r.err)
            assertEquals(line, r.errLines.first())
        }
        val notPcap = dir.resolve("notes.txt").also { Files.writeString(it, "hello world") }
        val r = test(listOf("passive", "-r", notPcap.toString()))
        assertEquals(2, r.code)
        assertEquals("kmap: $notPcap: not a pcap or pcapng file (first bytes 0x68656c6c)", r.errLines.single())
    }

    @Test
    fun `outputs have a scan's safety, an output over the capture is refused before anything is written`() {
        val cap = capture()
        val before = Files.readAllBytes(cap)
        val xml = dir.resolve("seen.xml").also { Files.writeString(it, "keep") }
        val r = test(listOf("passive", "-r", cap.toString(), "-oX", xml.toString(), "-oN", cap.toString()))
        assertEquals(2, r.code, r.err)
        assertTrue("-r" in r.errLines.first() && cap.toString() in r.errLines.first(), r.err)
        assertTrue(before.contentEquals(Files.readAllBytes(cap)), "the capture was touched")
        assertEquals("keep", Files.readString(xml))
        val two = test(listOf("passive", "-r", cap.toString(), "-oX", "-", "-oJ", "-"))
        assertEquals(2, two.code, two.err)
    }
}
