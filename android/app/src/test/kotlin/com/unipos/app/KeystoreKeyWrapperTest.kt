package com.unipos.app

import com.unipos.app.keys.KeystoreKeyWrapper
import com.unipos.core.ffi.CallbackException
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import java.security.KeyStoreException
import javax.crypto.KeyGenerator

/**
 * The wrapping of the terminal's data key. The key-encryption key comes from the AndroidKeyStore on
 * a terminal, which no JVM has (not even Robolectric): here a plain JCA AES-256 key stands in for it,
 * so this tests the format and the error handling, not the keystore itself.
 */
class KeystoreKeyWrapperTest {
    private val kek = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()

    @Test fun wraps_unwraps_wipes_and_refuses_changes() {
        val w = KeystoreKeyWrapper { kek }
        val dataKey = ByteArray(32) { (it * 3).toByte() }
        val plain = dataKey.copyOf()
        val wrapped = w.wrap(plain)
        assertTrue("the clear array is wiped", plain.all { it == 0.toByte() })
        assertEquals(1, wrapped[0].toInt())
        assertEquals(2 + 12 + 32 + 16, wrapped.size)
        assertFalse(String(wrapped, Charsets.ISO_8859_1).contains(String(dataKey, Charsets.ISO_8859_1)))
        assertArrayEquals(dataKey, w.unwrap(wrapped))
        assertFalse("a fresh IV each time", wrapped.contentEquals(w.wrap(dataKey.copyOf())))

        val changed = wrapped.copyOf().also { it[20] = (it[20] + 1).toByte() }
        try { w.unwrap(changed); fail() } catch (e: CallbackException.Failed) { assertTrue(e.reason, e.reason.contains("AEADBadTagException")) }
        try { w.unwrap(byteArrayOf(9, 12)); fail() } catch (e: CallbackException.Failed) { }
        val other = KeystoreKeyWrapper { KeyGenerator.getInstance("AES").apply { init(256) }.generateKey() }
        try { other.unwrap(wrapped); fail() } catch (e: CallbackException.Failed) { }
    }

    @Test fun a_keystore_failure_is_a_typed_error_without_data() {
        val gone = KeystoreKeyWrapper { throw KeyStoreException("AndroidKeyStore not found") }
        try {
            gone.unwrap(byteArrayOf(1, 12) + ByteArray(40))
            fail()
        } catch (e: CallbackException.Failed) {
            assertEquals("keystore unwrap failed: KeyStoreException", e.reason)
        }
    }
}
