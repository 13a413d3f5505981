package com.unipos.app

import android.app.Activity
import android.content.Intent
import androidx.test.core.app.ActivityScenario
import androidx.test.ext.junit.runners.AndroidJUnit4
import androidx.test.platform.app.InstrumentationRegistry
import androidx.test.rule.ServiceTestRule
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.IUniPosCallback
import com.unipos.sdk.IUniPosService
import com.unipos.sdk.PayMethod
import com.unipos.sdk.Requests
import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState
import com.unipos.sdk.UniPos
import com.unipos.sdk.UniPosIntents
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test
import org.junit.runner.RunWith
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * On an emulator (x86_64) or terminal, with `unipos host run --tcp 0.0.0.0:5000` on the workstation
 * (the emulator reaches it as 10.0.2.2:5000, TerminalSettings' default) and the simulated devices.
 * NOT run on the project's build machines (no SDK / emulator); see docs/android-app.md.
 *
 * These run in the app's own uid, so the caller check admits them as the cashier scope; the
 * rejection of a foreign caller needs a second, differently signed APK (docs/android-app.md).
 */
@RunWith(AndroidJUnit4::class)
class PaymentInstrumentedTest {
    @get:Rule val serviceRule = ServiceTestRule.withTimeout(30, TimeUnit.SECONDS)

    private val context get() = InstrumentationRegistry.getInstrumentation().targetContext

    private fun bind(): IUniPosService = IUniPosService.Stub.asInterface(
        serviceRule.bindService(Intent(UniPos.ACTION_BIND_SERVICE).setPackage(context.packageName)),
    )

    @Test fun bindPayAndQuery() {
        val service = bind()
        val results = LinkedBlockingQueue<TransResult>()
        service.registerCallback(object : IUniPosCallback.Stub() {
            override fun onProgress(requestId: String, stage: Int, message: String?) {}
            override fun onResult(result: TransResult) { results += result }
        })
        val id = Requests.newRequestId()
        assertEquals(ErrorCodes.OK, service.startTransaction(Requests.sale(id, 1_000, PayMethod.CARD)).errorCode)
        val r = results.poll(90, TimeUnit.SECONDS) ?: error("no result")
        assertEquals(r.message, TransState.APPROVED, r.state)
        assertEquals(TransState.APPROVED, service.queryByRequestId(id).state)
        assertEquals(ErrorCodes.REQUEST_ALREADY_DONE, service.startTransaction(Requests.sale(id, 1_000, PayMethod.CARD)).errorCode)
    }

    @Test fun payIntentRoundTrip() {
        val id = Requests.newRequestId()
        val intent = UniPosIntents.payIntent(Requests.sale(id, 2_000, PayMethod.CARD), context.packageName)
        ActivityScenario.launchActivityForResult<PayActivity>(intent).use { scenario ->
            val result = scenario.result
            assertEquals(Activity.RESULT_OK, result.resultCode)
            assertEquals(TransState.APPROVED, UniPosIntents.parseResult(id, result.resultCode, result.resultData).state)
        }
    }
}
