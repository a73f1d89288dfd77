package dev.kmap.packet.internal

import com.sun.jna.Native
import com.sun.jna.NativeLibrary
import com.sun.jna.Pointer

/**
 * Direct bindings to the libpcap calls of the hot paths, on the `pcap_t` of a pcap4j handle:
 * pcap4j's own `getNextRawPacket` allocates a header structure, a timestamp and the packet per
 * call and its `sendPacket` throws on a full socket buffer; these do neither. Same library as
 * pcap4j (its `org.pcap4j.core.pcapLibName` property, default `pcap`).
 */
@Suppress("ktlint:standard:function-naming") // libpcap's own names (JNA direct mapping)
internal object LibPcap {
    init {
        NativeSearchPath.prepare()
        Native.register(LibPcap::class.java, NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap")))
    }

    /** 1 packet read, 0 none (non-blocking / timeout), -1 error, -2 end (breakloop / savefile). */
    @JvmStatic external fun pcap_next_ex(p: Pointer, header: Pointer, data: Pointer): Int

    @JvmStatic external fun pcap_get_selectable_fd(p: Pointer): Int

    @JvmStatic external fun pcap_sendpacket(p: Pointer, buf: Pointer, size: Int): Int

    @JvmStatic external fun pcap_geterr(p: Pointer): String?
}
