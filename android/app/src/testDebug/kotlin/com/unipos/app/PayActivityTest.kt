package com.unipos.app

import android.app.Activity
import android.content.Intent
import android.os.Looper
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.PayMethod
import com.unipos.sdk.Requests
import com.unipos.sdk.TransState
import com.unipos.sdk.UniPosIntents
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** The pay Intent round trip through PayActivity, over the real core and host simulator. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [30], application = PayTestApp::class)
class PayActivityTest {
    private lateinit var app: TestApp

    @Before fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        Merchant.install(app)
        app.runtime.dispatcher.awaitIdle(60_000)
    }

    @After fun tearDown() = app.closeRuntime()

    /** Starts PayActivity as [caller] would with startActivityForResult; returns (resultCode, data). */
    private fun launch(intent: Intent, caller: String?): Pair<Int, Intent?> {
        val controller = Robolectric.buildActivity(PayActivity::class.java, intent)
        val activity = controller.get()
        if (caller != null) shadowOf(activity).setCallingPackage(caller)
        controller.create()
        val until = System.currentTimeMillis() + 30_000
        while (!activity.isFinishing && System.currentTimeMillis() < until) {
            shadowOf(Looper.getMainLooper()).idle()
            Thread.sleep(10)
        }
        check(activity.isFinishing) { "PayActivity did not finish" }
        val shadow = shadowOf(activity)
        return shadow.resultCode to shadow.resultIntent
    }

    @Test fun pay_intent_round_trip_then_query_intent() {
        val requestId = "intent-${System.nanoTime()}"
        val (code, data) = launch(UniPosIntents.payIntent(Requests.sale(requestId, 4_321, PayMethod.CARD, orderNo = "B-7")), Merchant.PACKAGE)
        assertEquals(Activity.RESULT_OK, code)
        val r = UniPosIntents.parseResult(requestId, code, data)
        assertEquals(r.message, TransState.APPROVED, r.state)
        assertEquals(4_321L, r.approvedAmount)
        assertEquals("B-7", r.orderNo)
        assertEquals("621234******1232", r.maskedPan)

        val (qCode, qData) = launch(UniPosIntents.queryIntent(requestId), Merchant.PACKAGE)
        val q = UniPosIntents.parseResult(requestId, qCode, qData)
        assertEquals(TransState.APPROVED, q.state)
        assertEquals(r.referenceNo, q.referenceNo)

        // the same pay Intent again (e.g. the caller retried after a crash): the stored result, no second charge
        val (rCode, rData) = launch(UniPosIntents.payIntent(Requests.sale(requestId, 4_321, PayMethod.CARD, orderNo = "B-7")), Merchant.PACKAGE)
        assertEquals(r.traceNo, UniPosIntents.parseResult(requestId, rCode, rData).traceNo)
    }

    @Test fun rejected_callers() {
        val req = Requests.sale("intent-x-${System.nanoTime()}", 100)
        val (code, data) = launch(UniPosIntents.payIntent(req), Merchant.OTHER_PACKAGE)
        assertEquals(Activity.RESULT_CANCELED, code)
        assertEquals(ErrorCodes.CALLER_NOT_ALLOWED, data!!.getIntExtra("errorCode", 0))
        // not started for result: the caller cannot be identified
        val (code2, data2) = launch(UniPosIntents.payIntent(req), null)
        assertEquals(Activity.RESULT_CANCELED, code2)
        assertEquals(ErrorCodes.CALLER_NOT_ALLOWED, data2!!.getIntExtra("errorCode", 0))
    }

    @Test fun invalid_request_is_refused_without_starting() {
        val (code, data) = launch(UniPosIntents.payIntent(Requests.sale("bad id with spaces", 100)), Merchant.PACKAGE)
        assertEquals(Activity.RESULT_CANCELED, code)
        assertEquals(ErrorCodes.INVALID_REQUEST, data!!.getIntExtra("errorCode", 0))
    }
}
