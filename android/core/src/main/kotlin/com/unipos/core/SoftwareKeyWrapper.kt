package com.unipos.core

import com.unipos.core.ffi.CallbackException
import com.unipos.core.ffi.KeyWrapper
import java.io.File
import java.io.FileOutputStream
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.spec.GCMParameterSpec
import javax.crypto.spec.SecretKeySpec

/**
 * **SOFTWARE STAND-IN, NOT FOR TERMINALS.** A [KeyWrapper] for the host JVM (tests, desktop
 * tools): AES-256-GCM under a key-encryption key kept in [kekFile] (created on first use). It
 * protects the data key against a copy of the database alone, not against anyone who can read
 * [kekFile]. On Android the app wraps with an AndroidKeyStore key instead (non-exportable); the
 * release build has no way to select this class.
 *
 * Wrapped form: 12-byte random IV || AES-GCM ciphertext and 16-byte tag.
 */
class SoftwareKeyWrapper(private val kekFile: File) : KeyWrapper {
    private val random = SecureRandom()

    private fun kek(): SecretKeySpec = synchronized(LOCK) {
        if (!kekFile.exists()) {
            val key = ByteArray(32).also(random::nextBytes)
            val tmp = File(kekFile.parentFile, ".${kekFile.name}.tmp")
            FileOutputStream(tmp).use { out ->
                out.write(HEADER)
                out.write(key)
                out.fd.sync()
            }
            tmp.setReadable(false, false); tmp.setReadable(true, true)
            tmp.setWritable(false, false); tmp.setWritable(true, true)
            check(tmp.renameTo(kekFile)) { "cannot create ${kekFile.name}" }
            key.fill(0)
        }
        val raw = kekFile.readBytes()
        try {
            if (raw.size != HEADER.size + 32 || !raw.copyOfRange(0, HEADER.size).contentEquals(HEADER)) {
                throw CallbackException.Failed("${kekFile.name} is not a software key-encryption key file")
            }
            SecretKeySpec(raw, HEADER.size, 32, "AES")
        } finally {
            raw.fill(0)
        }
    }

    override fun wrap(plain: ByteArray): ByteArray {
        val iv = ByteArray(IV_LEN).also(random::nextBytes)
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, kek(), GCMParameterSpec(TAG_BITS, iv))
        return iv + cipher.doFinal(plain)
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        if (wrapped.size <= IV_LEN) throw CallbackException.Failed("wrapped key too short")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, kek(), GCMParameterSpec(TAG_BITS, wrapped, 0, IV_LEN))
        return try {
            cipher.doFinal(wrapped, IV_LEN, wrapped.size - IV_LEN)
        } catch (e: javax.crypto.AEADBadTagException) {
            throw CallbackException.Failed("the software key-encryption key does not open it")
        }
    }

    private companion object {
        val LOCK = Any()
        val HEADER = "UNIPOS SOFTWARE KEK (stand-in, not a keystore) v1\n".toByteArray(Charsets.US_ASCII)
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_LEN = 12
        const val TAG_BITS = 128
    }
}
