package com.unipos.app

import android.app.Application
import android.os.Bundle
import com.unipos.app.provisioning.Field
import com.unipos.app.provisioning.Provisioning
import com.unipos.app.provisioning.Validation
import com.unipos.core.ffi.MacScheme
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config

/** The one place provisioning input is parsed and validated, for managed configuration and the setup screen. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [30], application = Application::class)
class ProvisioningTest {
    private val res get() = RuntimeEnvironment.getApplication().resources
    private val pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    private val digest = "ab".repeat(32)

    private fun full() = Bundle().apply {
        putString("posp_addresses", "posp1.acquirer.example:9001, 10.1.2.3:9001\n[fd00::5]:9002")
        putBoolean("posp_tls", true)
        putString("posp_ca_pem", pem)
        putString("qr_gateway_url", "https://qr.acquirer.example")
        putString("qr_gateway_ca_pem", pem)
        putString("qr_key", "59A4FA02D6BBEFD08ABABB0E18D2D979:7CC721BA")
        putString("terminal_id", "62969002")
        putString("merchant_id", "301310048990001")
        putString("merchant_name", "TEST SHOP")
        putInt("connect_timeout_ms", 5_000)
        putInt("response_timeout_ms", 45_000)
        putInt("reversal_retries", 5)
        putString("mac_scheme", "x919")
        putInt("receipt_width", 48)
        putString("auto_settlement_time", "23:30")
        putInt("batch_limit", 300)
        putString("acquirer_profile_json", """{"tpdu":"6000030000"}""")
        putString("allowed_callers", "com.example.shop=$digest\n# comment\ncom.example.two=$digest,$digest")
        putString("unknown_key", "ignored")
    }

    private fun valid(b: Bundle) = (Provisioning.fromBundle(b).validate() as Validation.Valid).profile

    private fun errors(b: Bundle): List<String> = when (val v = Provisioning.fromBundle(b).validate()) {
        is Validation.Valid -> throw AssertionError("expected refusal, got $v")
        is Validation.Invalid -> v.errors.map { it.message(res) }
    }

    @Test fun a_full_profile_maps_to_the_core_configuration() {
        val p = valid(full())
        val c = p.toPosConfig(null)
        assertEquals("posp1.acquirer.example:9001", c.posp.address)
        assertEquals(listOf("10.1.2.3:9001", "[fd00::5]:9002"), c.posp.fallbackAddresses)
        assertEquals("posp1.acquirer.example", c.posp.tls!!.serverName)
        assertEquals(pem, c.posp.tls!!.caPem)
        assertEquals("qr.acquirer.example:443", c.qrGateway!!.address)
        assertEquals("qr.acquirer.example", c.qrGateway!!.tls!!.serverName)
        assertEquals("62969002", c.terminalId)
        assertEquals(16, c.qrKey!!.ciphertext.size)
        assertEquals(listOf<Byte>(0x7C, 0xC7.toByte(), 0x21, 0xBA.toByte()), c.qrKey!!.checkValue.toList())
        assertEquals(45_000L, c.responseTimeoutMs)
        assertEquals(5_000L, c.connectTimeoutMs)
        assertEquals(5, c.reversalRetries)
        assertEquals(MacScheme.X919, c.macScheme)
        assertEquals(48, c.receiptWidth)
        assertEquals("23:30", c.autoSettlement)
        assertNull(c.softwareTmkHex)
        assertEquals("""{"tpdu":"6000030000"}""", c.profileJson)
        assertEquals(300, c.batchLimit)
    }

    @Test fun defaults_for_what_is_not_set() {
        val p = valid(Bundle().apply {
            putString("posp_addresses", "127.0.0.1:5000")
            putString("terminal_id", "62969002")
            putString("merchant_id", "301310048990001")
            putString("qr_gateway_url", "")        // an empty string is "not set"
        })
        assertEquals(null, p.pospTls)
        assertEquals(null, p.qrGatewayAddress)
        // not set: the protocol profile's (UnionPay: 60 s, CUP ECB MAC), decided by the core
        assertNull(p.responseTimeoutMs)
        assertNull(p.macScheme)
        assertNull(p.toPosConfig(null).profileJson)
        assertEquals(32, p.receiptWidth)
        assertNull("the profile's (999)", p.batchLimit)
        assertEquals("", p.allowedCallers)
    }

    @Test fun allow_list_lines_with_capabilities_and_keytool_digests() {
        val colons = digest.chunked(2).joinToString(":").uppercase()
        val ok = full().apply { putString("allowed_callers", "com.example.shop=$colons;sale,qr,void\ncom.example.two=$digest") }
        assertTrue(Provisioning.fromBundle(ok).validate() is Validation.Valid)
        val unknown = full().apply { putString("allowed_callers", "com.example.shop=$digest\ncom.example.two=$digest;sale,teleport") }
        assertEquals(listOf("Setting \"Allowed merchant apps\" has line 2, which is not package=SHA-256[,SHA-256][;capability,...] with known capabilities"), errors(unknown))
    }

    @Test fun every_bad_value_is_refused_with_its_field_named() {
        val bad = full().apply {
            putString("posp_addresses", "posp.example:9001,no-port")
            putString("terminal_id", "123")
            putString("merchant_id", "30131004899000!")
            putInt("response_timeout_ms", 500)
            putString("mac_scheme", "des")
            putString("auto_settlement_time", "24:00")
            putInt("batch_limit", 1000)
            putString("acquirer_profile_json", "[1, 2]")
            putString("allowed_callers", "com.example.shop=nothex")
            putString("qr_gateway_url", "http://qr.example")
            putString("qr_key", "59A4FA02D6BBEFD0")
            putString("posp_ca_pem", "not a pem")
        }
        val e = errors(bad)
        val expected = listOf(
            "Setting \"POSP addresses\" has \"no-port\", which is not a host:port address",
            "Setting \"POSP CA certificate (PEM)\" is not a PEM CA certificate",
            "Setting \"QR gateway URL\" must be https://host[:port]",
            "Setting \"QR gateway key\" must be CIPHERTEXT:CHECKVALUE in hex (a ciphertext of 16, 32 or 48 digits)",
            "Setting \"Terminal id\" must be exactly 8 characters",
            "Setting \"Merchant id\" may contain only letters and digits",
            "Setting \"Answer timeout (ms)\" must be between 1000 and 180000",
            "Setting \"MAC scheme\" must be one of: cup_ecb, x919",
            "Setting \"Automatic settlement time\" must be a time HH:MM (00:00 to 23:59)",
            "Setting \"Batch limit\" must be between 1 and 999",
            "Setting \"Acquirer profile (JSON)\" is not a JSON object",
            "Setting \"Allowed merchant apps\" has line 1, which is not package=SHA-256[,SHA-256][;capability,...] with known capabilities",
        )
        assertEquals(expected, e)
    }

    @Test fun the_core_checks_the_protocol_profile_and_its_refusal_names_the_field() {
        val b = full().apply { putString("acquirer_profile_json", """{"tpdu":"60","reversal":{"retries":0}}""") }
        val e = errors(b)
        assertEquals(1, e.size)
        assertTrue(e[0], e[0].startsWith("Setting \"Acquirer profile (JSON)\" is refused: "))
        val unknown = errors(full().apply { putString("acquirer_profile_json", """{"tdpu":"6000030000"}""") })
        assertTrue(unknown[0], unknown[0].contains("tdpu"))
    }

    @Test fun required_fields_and_tls_without_a_ca() {
        val e = errors(Bundle().apply { putBoolean("posp_tls", true) })
        assertEquals(
            listOf(
                "Setting \"POSP addresses\" is required",
                "Setting \"POSP CA certificate (PEM)\" is required when TLS is on (the CA to pin)",
                "Setting \"Terminal id\" is required",
                "Setting \"Merchant id\" is required",
            ),
            e,
        )
        val tlsNoCa = errors(Bundle().apply {
            putString("posp_addresses", "posp.example:9001"); putBoolean("posp_tls", true)
            putString("terminal_id", "62969002"); putString("merchant_id", "301310048990001")
        })
        assertEquals(listOf("Setting \"POSP CA certificate (PEM)\" is required when TLS is on (the CA to pin)"), tlsNoCa)
    }

    @Test @Config(qualifiers = "zh") fun messages_are_chinese_by_default() {
        val e = errors(Bundle().apply {
            putString("posp_addresses", "127.0.0.1:5000"); putString("terminal_id", "1"); putString("merchant_id", "301310048990001")
        })
        assertEquals(listOf("配置项“终端号”必须正好 8 个字符"), e)
    }

    @Test fun the_setup_screen_gives_strings_and_the_same_rules_apply() {
        val input = Provisioning.of(
            Field.POSP_ADDRESSES to "127.0.0.1:5000", Field.TERMINAL_ID to "62969002", Field.MERCHANT_ID to "301310048990001",
            Field.RECEIPT_WIDTH to "48", Field.POSP_TLS to "false", Field.BATCH_LIMIT to "abc",
        )
        val v = input.validate() as Validation.Invalid
        assertEquals(listOf("Setting \"Batch limit\" must be a whole number"), v.errors.map { it.message(res) })
        val ok = Provisioning.of(Field.POSP_ADDRESSES to "127.0.0.1:5000", Field.TERMINAL_ID to "62969002",
            Field.MERCHANT_ID to "301310048990001", Field.RECEIPT_WIDTH to "48").validate()
        assertTrue(ok is Validation.Valid)
        // persisted form round trip (the last applied settings)
        val back = Provisioning.fromJson(input.toJson())
        assertEquals(input.values, back.values)
    }
}
