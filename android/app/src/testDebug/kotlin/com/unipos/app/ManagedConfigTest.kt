package com.unipos.app

import android.content.Context
import android.content.Intent
import android.content.RestrictionsManager
import android.os.Bundle
import android.os.Looper
import com.unipos.app.policy.CallerPolicy
import com.unipos.app.provisioning.ApplyResult
import com.unipos.app.provisioning.ManagedConfig
import com.unipos.app.provisioning.Source
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.PayMethod
import com.unipos.sdk.Requests
import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * The acquirer profile delivered as managed configuration: applied as a whole on
 * ACTION_APPLICATION_RESTRICTIONS_CHANGED, refused as a whole with every bad field named, and a
 * profile the core will not open with leaves the old one in force.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [30], application = TestApp::class)
class ManagedConfigTest {
    private lateinit var app: TestApp

    @Before fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        HostSim.clearFaults()
        app.runtime.dispatcher.awaitIdle(60_000)
    }

    @After fun tearDown() = app.closeRuntime()

    private fun restrictions(vararg extra: Pair<String, Any>): Bundle = Bundle().apply {
        putString("posp_addresses", HostSim.posp)
        putString("terminal_id", app.terminalId)
        putString("merchant_id", "301310048990001")
        putString("merchant_name", "MANAGED SHOP")
        putInt("response_timeout_ms", 2_000)
        for ((k, v) in extra) when (v) {
            is String -> putString(k, v)
            is Int -> putInt(k, v)
            is Boolean -> putBoolean(k, v)
        }
    }

    private fun deliver(bundle: Bundle) {
        val rm = app.getSystemService(Context.RESTRICTIONS_SERVICE) as RestrictionsManager
        shadowOf(rm).setApplicationRestrictions(bundle)
    }

    private fun sale(): TransResult {
        val results = LinkedBlockingQueue<TransResult>()
        val l = object : TransactionDispatcher.Listener { override fun onResult(scope: String, result: TransResult) { results += result } }
        app.runtime.dispatcher.addListener(l)
        try {
            // Off the main thread, as a binder thread would (start writes to disk; StrictMode is on).
            var code = -1
            val t = Thread { code = app.runtime.dispatcher.start(CallerPolicy.OWN_SCOPE, Requests.sale("mc-${System.nanoTime()}", 130, PayMethod.CARD)).errorCode }
            t.start(); t.join(30_000)
            assertEquals(ErrorCodes.OK, code)
            return results.poll(30, TimeUnit.SECONDS)!!
        } finally {
            app.runtime.dispatcher.removeListener(l)
        }
    }

    @Test fun a_changed_profile_is_applied_through_the_broadcast() {
        deliver(restrictions())
        app.sendBroadcast(Intent(Intent.ACTION_APPLICATION_RESTRICTIONS_CHANGED))
        val until = System.currentTimeMillis() + 30_000
        while (app.runtime.settings.profile?.merchantName != "MANAGED SHOP") {
            check(System.currentTimeMillis() < until) { "the managed profile was not applied: ${app.provisioningProblem}" }
            shadowOf(Looper.getMainLooper()).idle()
            Thread.sleep(20)
        }
        assertEquals(2_000L, app.runtime.settings.profile!!.responseTimeoutMs)
        assertNull(app.provisioningProblem)
        assertEquals(TransState.APPROVED, sale().state)
        // Delivered again unchanged: nothing to do.
        assertEquals(ApplyResult.Unchanged, app.applyProvisioning(ManagedConfig.read(app)!!, Source.MANAGED))
    }

    @Test fun bad_values_are_refused_whole_with_their_fields_named() {
        val before = app.runtime.settings
        deliver(restrictions("terminal_id" to "123", "posp_addresses" to "${HostSim.posp},bad address", "batch_limit" to 0,
            "acquirer_profile_json" to "not json"))
        val r = app.applyProvisioning(ManagedConfig.read(app)!!, Source.MANAGED)
        assertTrue("$r", r is ApplyResult.Rejected)
        val message = (r as ApplyResult.Rejected).message
        for (field in listOf("\"Terminal id\"", "\"POSP addresses\"", "\"Batch limit\"", "\"Acquirer profile (JSON)\"")) {
            assertTrue("$field in: $message", message.contains(field))
        }
        assertTrue(message, message.startsWith("The new settings were refused; the previous settings stay in force"))
        assertEquals(message, app.provisioningProblem)
        // Not half-applied: the merchant name (valid) did not change either.
        assertTrue(before === app.runtime.settings)
        assertEquals(TransState.APPROVED, sale().state)
    }

    @Test fun a_profile_the_core_refuses_leaves_the_old_one_in_force() {
        val before = app.runtime.settings
        // Valid to the validator (a PEM block), but no certificate inside: the core's TLS set-up refuses it.
        deliver(restrictions("posp_tls" to true, "posp_ca_pem" to "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"))
        val r = app.applyProvisioning(ManagedConfig.read(app)!!, Source.MANAGED)
        assertTrue("$r", r is ApplyResult.Failed)
        assertTrue((r as ApplyResult.Failed).message, r.message.contains("previous settings stay in force"))
        assertTrue(before === app.runtime.settings)
        assertEquals("the old core runs", TransState.APPROVED, sale().state)
    }

    @Test fun at_start_a_valid_managed_profile_wins_and_an_invalid_one_keeps_the_last_applied() {
        deliver(restrictions("merchant_name" to "AT BOOT"))
        app.closeRuntime()
        assertEquals("AT BOOT", app.runtime.settings.profile!!.merchantName)
        app.runtime.dispatcher.awaitIdle(60_000)

        deliver(restrictions("merchant_id" to "short"))
        app.closeRuntime()
        assertEquals("the last applied profile", "AT BOOT", app.runtime.settings.profile!!.merchantName)
        assertTrue(app.provisioningProblem!!.contains("\"Merchant id\""))
        app.runtime.dispatcher.awaitIdle(60_000)
    }
}
