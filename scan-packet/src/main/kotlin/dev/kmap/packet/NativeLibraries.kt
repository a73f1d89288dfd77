package dev.kmap.packet

import dev.kmap.dsl.InternalKmapApi
import dev.kmap.packet.internal.NativeSearchPath

/**
 * Readies JNA before a module's first native call of its own: names the usual library
 * directories so that JNA's start-up does not fork `/sbin/ldconfig -p` to learn them (done once;
 * scan-packet's own native calls do it themselves). A module that binds libc functions by JNA
 * calls [prepare] before it binds. For kmap's own modules (scan-engine's connect scan), not a user API.
 *
 * ```kotlin
 * NativeLibraries.prepare(); Native.register(MyLibC::class.java, Platform.C_LIBRARY_NAME)
 * ```
 */
@InternalKmapApi
public object NativeLibraries {
    /** Names the library directories for JNA unless already named (`jna.platform.library.path`); idempotent. */
    public fun prepare(): Unit = NativeSearchPath.prepare()
}
