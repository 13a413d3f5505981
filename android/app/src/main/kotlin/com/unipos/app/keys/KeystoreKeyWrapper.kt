package com.unipos.app.keys

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import com.unipos.core.ffi.CallbackException
import com.unipos.core.ffi.KeyWrapper
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/** Where the key-encryption key comes from ([AndroidKeyStoreKey] on a terminal). */
fun interface KekSource {
    /** The AES key; created on first use. Throws [GeneralSecurityException] when unavailable. */
    fun key(): SecretKey
}

/**
 * An AES-256 key in the AndroidKeyStore: generated inside the keystore (TEE/StrongBox where the
 * terminal has one), non-exportable, usable only for AES/GCM with keystore-chosen IVs. API 23+.
 * If the app's data is restored elsewhere or the keystore is reset, the key is gone and the core
 * refuses to open with a message naming the data-key file; nothing is silently replaced.
 */
class AndroidKeyStoreKey(private val alias: String = ALIAS) : KekSource {
    override fun key(): SecretKey = synchronized(LOCK) {
        val store = KeyStore.getInstance(PROVIDER).apply { load(null) }
        (store.getKey(alias, null) as? SecretKey)?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, PROVIDER)
        generator.init(
            KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .setRandomizedEncryptionRequired(true)
                .build(),
        )
        generator.generateKey()
    }

    companion object {
        const val PROVIDER = "AndroidKeyStore"
        const val ALIAS = "unipos-data-key-wrapper-v1"
        private val LOCK = Any()
    }
}

/**
 * The core's [KeyWrapper] on a terminal: wraps the 32-byte data key with AES-256-GCM under a
 * [KekSource] key (the AndroidKeyStore's). Wrapped form: version 1, IV length, IV, ciphertext and
 * tag. The clear data key passes through here only to be wrapped; the array is wiped after use.
 */
class KeystoreKeyWrapper(private val kek: KekSource = AndroidKeyStoreKey()) : KeyWrapper {
    override fun wrap(plain: ByteArray): ByteArray = guarded("wrap") {
        try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.ENCRYPT_MODE, kek.key())    // the keystore picks the IV
            val iv = cipher.iv
            val body = cipher.doFinal(plain)
            byteArrayOf(VERSION, iv.size.toByte()) + iv + body
        } finally {
            plain.fill(0)
        }
    }

    override fun unwrap(wrapped: ByteArray): ByteArray = guarded("unwrap") {
        if (wrapped.size < 2 || wrapped[0] != VERSION) throw CallbackException.Failed("not a keystore-wrapped key")
        val ivLen = wrapped[1].toInt()
        if (ivLen !in 12..16 || wrapped.size <= 2 + ivLen + TAG_BITS / 8) throw CallbackException.Failed("wrapped key malformed")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, kek.key(), GCMParameterSpec(TAG_BITS, wrapped, 2, ivLen))
        cipher.doFinal(wrapped, 2 + ivLen, wrapped.size - 2 - ivLen)
    }

    /** Keystore failures become a typed callback error with the exception's class only (no data). */
    private inline fun guarded(what: String, block: () -> ByteArray): ByteArray = try {
        block()
    } catch (e: CallbackException) {
        throw e
    } catch (e: GeneralSecurityException) {
        throw CallbackException.Failed("keystore $what failed: ${e.javaClass.simpleName}")
    } catch (e: RuntimeException) {
        throw CallbackException.Failed("keystore $what failed: ${e.javaClass.simpleName}")
    }

    private companion object {
        const val VERSION: Byte = 1
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val TAG_BITS = 128
    }
}
