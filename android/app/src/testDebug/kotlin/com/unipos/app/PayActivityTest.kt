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
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import android.widget.Button
import android.widget.ImageView

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

    /**
     * The pay Intent's screen while a shown code waits: the calling app's name, the amount, the
     * code and Cancel; Cancel closes the code (nothing paid) and the caller gets DECLINED.
     */
    @Test @GraphicsMode(GraphicsMode.Mode.NATIVE) @Config(qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
    fun the_screen_shows_the_code_and_its_cancel_closes_it() {
        val requestId = "intent-qr-${System.nanoTime()}"
        // Amounts ending in 99 fen: the simulated customer never pays.
        val controller = Robolectric.buildActivity(PayActivity::class.java,
            UniPosIntents.payIntent(Requests.sale(requestId, 1_299, PayMethod.QR_SHOW)))
        val activity = controller.get()
        shadowOf(activity).setCallingPackage(Merchant.PACKAGE)
        controller.setup()
        fun s(id: Int, vararg a: Any) = activity.getString(id, *a)
        fun cancelButton() = ScreenPictures.views(activity.window.decorView).filterIsInstance<Button>()
            .firstOrNull { it.text == s(R.string.action_cancel) }
        fun showsCode() = ScreenPictures.views(activity.window.decorView).any { it is ImageView }
        val until = System.currentTimeMillis() + 30_000
        while (!(showsCode() && cancelButton() != null) && !activity.isFinishing && System.currentTimeMillis() < until) {
            shadowOf(Looper.getMainLooper()).idle()
            Thread.sleep(10)
        }
        check(!activity.isFinishing) {
            "finished before the code was shown: " +
                UniPosIntents.parseResult(requestId, shadowOf(activity).resultCode, shadowOf(activity).resultIntent).let { "${it.state} ${it.errorCode} ${it.message}" }
        }
        ScreenPictures.live(activity, "live_pay_code", listOf(s(R.string.pay_requested_by, Merchant.LABEL),
            s(R.string.amount_yuan, "12.99"), s(R.string.stage_qr_shown), s(R.string.action_cancel)))
        val pressed = System.currentTimeMillis()
        cancelButton()!!.performClick()
        shadowOf(Looper.getMainLooper()).idle()
        ScreenPictures.liveIfStillShown(activity, "live_pay_code_closing", listOf(s(R.string.qr_show_closing))) { !activity.isFinishing }
        while (!activity.isFinishing && System.currentTimeMillis() < until + 30_000) {
            shadowOf(Looper.getMainLooper()).idle()
            Thread.sleep(10)
        }
        check(activity.isFinishing) { "PayActivity did not finish" }
        val r = UniPosIntents.parseResult(requestId, shadowOf(activity).resultCode, shadowOf(activity).resultIntent)
        assertEquals(r.message, TransState.DECLINED, r.state)
        assertEquals(ErrorCodes.QR_PAYMENT_CLOSED, r.errorCode)
        assertTrue("closed ${System.currentTimeMillis() - pressed} ms after Cancel", System.currentTimeMillis() - pressed < 30_000)
    }

    /** Starts a pay Intent from the merchant app and idles until [ready] holds or the activity finishes. */
    private fun startShown(request: com.unipos.sdk.TransRequest, ready: (PayActivity) -> Boolean): PayActivity {
        val controller = Robolectric.buildActivity(PayActivity::class.java, UniPosIntents.payIntent(request))
        val activity = controller.get()
        shadowOf(activity).setCallingPackage(Merchant.PACKAGE)
        controller.setup()
        val until = System.currentTimeMillis() + 30_000
        while (!ready(activity) && !activity.isFinishing && System.currentTimeMillis() < until) {
            shadowOf(Looper.getMainLooper()).idle()
            Thread.sleep(10)
        }
        check(ready(activity)) { "not shown: ${ScreenPictures.views(activity.window.decorView).filterIsInstance<android.widget.TextView>().map { it.text }}" }
        return activity
    }

    private fun button(activity: Activity, label: Int): Button? = ScreenPictures.views(activity.window.decorView)
        .filterIsInstance<Button>().firstOrNull { it.text == activity.getString(label) }

    private fun resultOf(activity: PayActivity, requestId: String): com.unipos.sdk.TransResult {
        val until = System.currentTimeMillis() + 60_000
        while (!activity.isFinishing && System.currentTimeMillis() < until) {
            shadowOf(Looper.getMainLooper()).idle()
            Thread.sleep(10)
        }
        check(activity.isFinishing) { "PayActivity did not finish" }
        return UniPosIntents.parseResult(requestId, shadowOf(activity).resultCode, shadowOf(activity).resultIntent)
    }

    /**
     * A sale that leaves the pay method to the terminal (CHOOSE, the guide's example) asks the
     * cashier on the pay Intent's screen; the choice decides (here: scan the customer's code, not
     * the simulated hardware's own answer, card), and Cancel there cancels with nothing sent.
     */
    @Test @GraphicsMode(GraphicsMode.Mode.NATIVE) @Config(qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
    fun a_choose_sale_asks_the_cashier_on_the_screen() {
        val scanned = "intent-choose-${System.nanoTime()}"
        val a = startShown(Requests.sale(scanned, 1_288, PayMethod.CHOOSE)) { button(it, R.string.pay_scan) != null }
        ScreenPictures.live(a, "live_pay_choose", listOf(a.getString(R.string.pay_choose), a.getString(R.string.pay_card),
            a.getString(R.string.pay_show_code), a.getString(R.string.action_cancel)))
        button(a, R.string.pay_scan)!!.performClick()
        val r = resultOf(a, scanned)
        assertEquals(r.message, TransState.APPROVED, r.state)
        assertTrue("a QR payment: ${r.qrOrderNo}", !r.qrOrderNo.isNullOrEmpty())
        assertTrue("no card: ${r.maskedPan}", r.maskedPan.isNullOrEmpty())

        val cancelled = "intent-choose-cancel-${System.nanoTime()}"
        val b = startShown(Requests.sale(cancelled, 1_288, PayMethod.CHOOSE)) { button(it, R.string.pay_scan) != null }
        button(b, R.string.action_cancel)!!.performClick()
        val c = resultOf(b, cancelled)
        assertEquals(c.message, ErrorCodes.CANCELLED, c.errorCode)

        // The merchant app's own cancel(id) answers the question too.
        val byApp = "intent-choose-app-${System.nanoTime()}"
        val d = startShown(Requests.sale(byApp, 1_288, PayMethod.CHOOSE)) { button(it, R.string.pay_scan) != null }
        val caller = com.unipos.app.policy.AppCaller(Merchant.PACKAGE, emptySet())
        assertEquals(ErrorCodes.OK, app.runtime.dispatcher.cancel(caller, byApp))
        assertEquals(ErrorCodes.CANCELLED, resultOf(d, byApp).errorCode)
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
