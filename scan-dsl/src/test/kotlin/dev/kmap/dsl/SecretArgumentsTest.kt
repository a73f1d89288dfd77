package dev.kmap.dsl

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class SecretArgumentsTest {
    @Test
    fun `secret names by ending, with or without a script prefix, and declared ones`() {
        for (n in listOf("password", "redis-info.password", "db.PASS", "api-token", "x.client_secret", "ssh.key", "apikey")) assertTrue(SecretArguments.isSecret(n), n)
        for (n in listOf("timeout", "banner.timeout", "http-title.path", "user", "passwords-file.path")) assertFalse(SecretArguments.isSecret(n), n)
        assertTrue(SecretArguments.isSecret("user", setOf("user")))
        assertTrue(SecretArguments.isSecret("mine.user", setOf("mine.user")))
    }

    @Test
    fun `command lines keep everything but the secret values`() {
        assertEquals(
            listOf("-sT", "--script-args", "redis-info.password=***,banner.timeout=1", "--script-args=token=***", "--script-args", "a=1", "127.0.0.1"),
            SecretArguments.redactCommandLine(listOf("-sT", "--script-args", "redis-info.password=hunter2,banner.timeout=1", "--script-args=token='a,b'", "--script-args", "a=1", "127.0.0.1")),
        )
        assertEquals(listOf("--script-args", "user=***"), SecretArguments.redactCommandLine(listOf("--script-args", "user=alice"), setOf("user")))
        // what does not parse is masked whole
        assertEquals(listOf("--script-args", "***"), SecretArguments.redactCommandLine(listOf("--script-args", "password='unterminated")))
    }

    @Test
    fun `plans for reports`() {
        val plan = scan { targets("127.0.0.1"); ports("6379"); script("redis-info") { arg("redis-info.password", "hunter2"); arg("timeout", "2") } }
        val redacted = SecretArguments.redact(plan)
        assertEquals(mapOf("redis-info.password" to "***", "timeout" to "2"), redacted.scripts.single().args)
        assertFalse("hunter2" in redacted.toJson())
        assertTrue(SecretArguments.redact(scan { targets("127.0.0.1"); script("banner") }).scripts.single().args.isEmpty())
    }

    @Test
    fun `script-args text and files`() {
        assertEquals(mapOf("a" to "1", "b" to "x,y", "c" to ""), ScriptArgsText.parse("a=1, b='x,y',c"))
        assertEquals("a=1,b=\"x,y\",c=", ScriptArgsText.format(mapOf("a" to "1", "b" to "x,y", "c" to "")))
        assertEquals(mapOf("a" to "1", "b" to "2", "c" to "3"), ScriptArgsText.parseFile("# secrets\na=1,b=2\n\nc=3\n", "f"))
        assertEquals("args.txt:2: unterminated quote in script argument \"b\" (expected name=\"value\")", assertFailsWith<InvalidSpecException> { ScriptArgsText.parseFile("a=1\nb='x\n", "args.txt") }.message)
    }
}
