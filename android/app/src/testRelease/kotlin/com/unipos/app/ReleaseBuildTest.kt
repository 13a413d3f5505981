package com.unipos.app

import com.unipos.app.hardware.HardwareRegistry
import com.unipos.app.hardware.HardwareSelection
import com.unipos.app.hardware.VendorHardware
import com.unipos.app.hardware.VendorHardwareFactory
import com.unipos.app.policy.CallerPolicy
import com.unipos.app.provisioning.Field
import com.unipos.app.provisioning.Provisioning
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.app.variant.BuildVariant
import com.unipos.core.Devices
import com.unipos.core.SoftwareKeyWrapper
import com.unipos.core.ffi.CardPrompt
import com.unipos.core.ffi.CardReadResult
import com.unipos.core.ffi.CardReader
import com.unipos.core.ffi.CancelSignal
import com.unipos.core.ffi.PinPad
import com.unipos.core.ffi.PinRequest
import com.unipos.core.ffi.PinResult
import com.unipos.core.ffi.Printer
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.PayMethod
import com.unipos.sdk.Requests
import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import java.io.File
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/** The release application, provisioned (so only the missing hardware can stop it). */
class ReleaseTestApp : UniPosApplication() {
    override fun defaultProvisioning() = Provisioning.of(
        Field.POSP_ADDRESSES to "127.0.0.1:9", Field.TERMINAL_ID to "62969002", Field.MERCHANT_ID to "301310048990001",
    )
    override fun keyWrapper() = SoftwareKeyWrapper(File(dir, "test.kek"))
    override fun databasePath() = File(dir, "journal.db").path
    private val dir: File by lazy {
        File(System.getProperty("unipos.tmp") ?: System.getProperty("java.io.tmpdir"), "release-${System.nanoTime()}").also { it.mkdirs() }
    }
}

/**
 * What goes onto a terminal: no simulated devices, host-simulator defaults or test TMK exist in it,
 * and without a complete vendor adapter every transaction is refused with 5003 and a clear message.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [30], application = ReleaseTestApp::class)
class ReleaseBuildTest {
    private val app get() = RuntimeEnvironment.getApplication() as ReleaseTestApp

    @After fun tearDown() {
        HardwareRegistry.clear()
        app.closeRuntime()
    }

    private fun saleResult(): TransResult {
        val results = LinkedBlockingQueue<TransResult>()
        app.runtime.dispatcher.addListener(object : TransactionDispatcher.Listener {
            override fun onResult(scope: String, result: TransResult) { results += result }
        })
        val start = app.runtime.dispatcher.start(CallerPolicy.OWN_SCOPE, Requests.sale("rel-${System.nanoTime()}", 100, PayMethod.CARD))
        assertEquals(ErrorCodes.OK, start.errorCode)
        return results.poll(30, TimeUnit.SECONDS)!!
    }

    @Test fun nothing_simulated_is_in_the_release_build() {
        val v = BuildVariant.current
        assertEquals("release", v.name)
        assertNull("no software TMK", v.softwareTmkHex)
        assertNull("no host-simulator defaults", v.defaultProvisioning())
        assertNull("no simulated devices", v.fallbackHardware(app))
        assertTrue(v.requiresVendorSecurityModule)
        for (name in listOf("com.unipos.app.hardware.SimulatedHardware")) {
            try {
                Class.forName(name)
                fail("$name is compiled into the release build")
            } catch (e: ClassNotFoundException) { }
        }
    }

    @Test fun without_a_vendor_adapter_transactions_are_refused_with_a_clear_message() {
        val r = saleResult()
        assertEquals(TransState.FAILED, r.state)
        assertEquals(ErrorCodes.CONFIGURATION_ERROR, r.errorCode)
        assertEquals(app.getString(R.string.hardware_missing), r.message)
        assertTrue(r.message, r.message.contains("No payment hardware adapter"))
        assertNull(app.runtime.hardware)
    }

    @Test fun an_adapter_without_its_own_security_module_and_emv_kernel_is_refused() {
        val partial = object : VendorHardware {
            override val name = "PartialVendor"
            override fun devices() = Devices(NoCard, NoPin, NoPaper)
            override fun scanPaymentCode(timeoutMs: Long): String? = null
            override fun choosePayMethod(amountFen: Long): Int? = null
        }
        HardwareRegistry.register(object : VendorHardwareFactory { override fun create(context: android.content.Context) = partial })
        val selection = HardwareRegistry.select(app, BuildVariant.current::fallbackHardware, BuildVariant.current.requiresVendorSecurityModule)
        assertTrue("$selection", selection is HardwareSelection.Unavailable)
        val reason = (selection as HardwareSelection.Unavailable).reason
        assertTrue(reason, reason.contains("PartialVendor") && reason.contains("security module") && reason.contains("EMV kernel"))

        app.closeRuntime()
        val r = saleResult()
        assertEquals(ErrorCodes.CONFIGURATION_ERROR, r.errorCode)
        assertEquals(reason, r.message)
    }

    private object NoCard : CardReader {
        override fun readCard(prompt: CardPrompt, cancel: CancelSignal): CardReadResult = CardReadResult.Cancelled
    }
    private object NoPin : PinPad {
        override fun readPin(request: PinRequest): PinResult = PinResult.Cancelled
    }
    private object NoPaper : Printer {
        override fun print(lines: List<String>) {}
    }
}
