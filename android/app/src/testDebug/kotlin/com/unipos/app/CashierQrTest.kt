package com.unipos.app

import android.widget.ImageView
import com.unipos.app.ui.screens.HomeScreen
import com.unipos.app.ui.screens.QrOrderScreen
import com.unipos.app.ui.screens.QrOrdersScreen
import com.unipos.app.ui.screens.QrRefundScreen
import com.unipos.app.ui.screens.QrShowScreen
import com.unipos.app.ui.screens.ResultScreen
import com.unipos.app.ui.screens.SupervisorScreen
import com.unipos.core.PosResult
import com.unipos.core.ffi.QrStatus
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.FixMethodOrder
import org.junit.Test
import org.junit.runner.RunWith
import org.junit.runners.MethodSorters
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode

/**
 * QR through the screens against the simulator's QR gateway: scan the customer's code (paid), show
 * the merchant's dynamic code (the bitmap and the countdown, then paid by the simulated customer;
 * another closed by the cashier's Cancel long before its deadline), the QR order query, and a QR refund with the supervisor's password.
 */
class QrFlowsTestApp : TestApp("62969012")

@RunWith(RobolectricTestRunner::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(sdk = [30], application = QrFlowsTestApp::class, qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
class CashierQrTest {
    private lateinit var app: TestApp

    @Before fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        app.runtime.dispatcher.awaitIdle(60_000)
        app.operatorSignedIn()
    }

    @After fun tearDown() = app.closeRuntime()

    @Test fun q01_scan_the_customers_code() {
        val ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        ui.keys("800")
        ui.tap(R.string.pay_scan)
        ui.waitFor<ResultScreen>()
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_approved) && ui.shows(R.string.channel_wechat))
        assertTrue(ui.shows(R.string.amount_yuan, "8.00"))
        // Only the masked code: the scanner's code never appears whole.
        assertTrue(ui.texts().none { it.contains(com.unipos.app.hardware.SimulatedHardware.TEST_PAYMENT_CODE) })
    }

    @Test fun q02_show_the_dynamic_code_until_the_customer_pays() {
        val ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        ui.keys("600")
        ui.tap(R.string.pay_show_code)
        val shown = ui.waitFor<QrShowScreen>()
        ScreenPictures.live(ui.activity, "live_qr_show", listOf(ui.str(R.string.qr_show_scan)))
        val image = ScreenPictures.views(ui.activity.window.decorView).filterIsInstance<ImageView>().first()
        assertTrue("the code's bitmap", image.drawable.intrinsicWidth > 50)
        assertTrue(ui.texts().toString(), ui.shows(R.string.qr_show_scan) && ui.shows(R.string.amount_yuan, "6.00"))
        // The countdown starts from the engine's deadline for a shown code.
        // (Not asked of the core here: its worker is busy waiting for the customer.)
        val deadlineS = shown.deadlineMs / 1000
        assertTrue(ui.texts().toString(), (deadlineS - 5..deadlineS).any { ui.shows(R.string.qr_show_countdown, it.toInt()) })
        // The customer may pay another way: Cancel is offered while the code is shown.
        assertTrue(ScreenPictures.views(ui.activity.window.decorView).filterIsInstance<android.widget.Button>()
            .any { it.text.toString() == ui.str(R.string.action_cancel) })
        ui.waitFor<ResultScreen>(60_000)
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_approved) && ui.shows(R.string.amount_yuan, "6.00"))
        assertTrue(!shown.isCurrent)
    }

    @Test fun q04_cancel_closes_a_shown_code_at_once() {
        val ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        ui.keys("1299") // amounts ending in 99 fen: the simulated customer never pays
        ui.tap(R.string.pay_show_code)
        val shown = ui.waitFor<QrShowScreen>()
        val pressed = System.currentTimeMillis()
        ui.tap(R.string.action_cancel)
        ui.waitFor<ResultScreen>(60_000)
        val took = System.currentTimeMillis() - pressed
        ScreenPictures.live(ui.activity, "live_qr_show_cancelled", listOf(ui.str(R.string.verdict_not_done)))
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_not_done) && ui.shows(R.string.amount_yuan, "12.99"))
        // Closed on the cashier's word, not at the code's deadline.
        assertTrue("closed after $took ms (deadline ${shown.deadlineMs} ms)", took < shown.deadlineMs / 4)
        val order = app.runtime.withCore { c -> runBlocking { c.desk.qrOrders(10) } }.get().let { (it as PosResult.Success).value }
            .first { it.amount == 1299L }
        assertEquals(QrStatus.CLOSED, order.status)
    }

    @Test fun q03_order_query_and_refund_with_the_supervisor() {
        val ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        ui.tap(R.string.action_menu)
        ui.tap(R.string.fn_qr_query)
        ui.waitFor<QrOrdersScreen>()
        ui.until("orders listed") { ui.shows(R.string.qr_status_paid) }
        val paid = app.runtime.withCore { c -> runBlocking { c.desk.qrOrders(10) } }.get().let { (it as PosResult.Success).value }
            .first { it.status == QrStatus.PAID && it.amount == 800L }
        ui.type(R.string.qr_order_number, paid.outTradeNo)
        ui.tap(R.string.action_find)
        ui.waitFor<QrOrderScreen>()
        assertTrue(ui.shows(paid.outTradeNo) && ui.shows(R.string.qr_status_paid))
        ui.tap(R.string.fn_qr_refund)
        ui.waitFor<QrRefundScreen>()
        ui.keys("300")
        ui.tap(R.string.action_confirm_refund)
        ui.waitFor<SupervisorScreen>()
        ui.keys(Passwords.SUPERVISOR)
        ui.tap(R.string.action_authorise)
        ui.waitFor<ResultScreen>()
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_approved) && ui.shows(R.string.amount_yuan, "3.00"))
        val after = app.runtime.withCore { c -> runBlocking { c.desk.findQrOrder(paid.outTradeNo) } }.get().let { (it as PosResult.Success).value }
        assertEquals(300L, after.refundedAmount)
    }
}
