package dev.kmap.dsl

import kotlinx.serialization.KSerializer
import kotlinx.serialization.descriptors.PrimitiveKind
import kotlinx.serialization.descriptors.PrimitiveSerialDescriptor
import kotlinx.serialization.descriptors.SerialDescriptor
import kotlinx.serialization.encoding.Decoder
import kotlinx.serialization.encoding.Encoder

/** Serializes an [IpAddress] as its canonical text. */
internal object IpAddressSerializer : KSerializer<IpAddress> {
    override val descriptor: SerialDescriptor = PrimitiveSerialDescriptor("dev.kmap.IpAddress", PrimitiveKind.STRING)
    override fun serialize(encoder: Encoder, value: IpAddress): Unit = encoder.encodeString(value.toString())
    override fun deserialize(decoder: Decoder): IpAddress = IpAddress.parse(decoder.decodeString())
}
