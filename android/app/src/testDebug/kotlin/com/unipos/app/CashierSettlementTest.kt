package com.unipos.app

import com.unipos.app.ui.screens.HomeScreen
import com.unipos.app.ui.screens.ProgressScreen
import com.unipos.app.ui.screens.ReceiptScreen
import com.unipos.app.ui.screens.ResultScreen
import com.unipos.app.ui.screens.SettlementReportScreen
import com.unipos.app.ui.screens.SettlementScreen
import com.unipos.app.ui.screens.SupervisorScreen
import com.unipos.app.ui.Stage
import org.junit.After
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode

/**
 * Settlement through the screens when the host lost a record: the supervisor's password, the
 * totals differ, the batch upload runs (its stage is shown), the report says uploaded and lists the
 * card totals, then prints.
 */
class SettlementTestApp : TestApp("62969014")

@RunWith(RobolectricTestRunner::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(sdk = [30], application = SettlementTestApp::class, qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
class CashierSettlementTest {
    private lateinit var app: TestApp
    private val tid get() = app.terminalId

    @Before fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        app.runtime.dispatcher.awaitIdle(60_000)
        app.operatorSignedIn()
    }

    @After fun tearDown() {
        HostSim.clearFaults()
        app.closeRuntime()
    }

    @Test fun settlement_with_batch_upload_then_the_report_prints() {
        val ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        ui.keys("1000"); ui.tap(R.string.pay_card); ui.waitFor<ResultScreen>(); ui.tap(R.string.action_done)
        // The host processes and answers the next sale, then loses its record: totals will differ.
        HostSim.http("POST", "/admin/faults", """{"terminal_id":"$tid","mti":"0200","count":1,"action":{"type":"lose_record"}}""")
        ui.waitFor<HomeScreen>()
        ui.keys("2000"); ui.tap(R.string.pay_card); ui.waitFor<ResultScreen>()
        assertTrue(ui.shows(R.string.verdict_approved))
        ui.tap(R.string.action_done)
        ui.tap(R.string.action_menu)
        ui.tap(R.string.fn_settle)
        ui.waitFor<SettlementScreen>()
        ui.until("batch shown") { !ui.shows(R.string.loading) }
        ui.tap(R.string.action_settle)
        ui.waitFor<SupervisorScreen>()
        ui.keys(Passwords.SUPERVISOR)
        ui.tap(R.string.action_authorise)
        var sawUpload = false
        ui.until("report", 60_000) {
            val s = ui.current
            if (s is ProgressScreen && s.stage == Stage.UPLOADING && !sawUpload) {
                sawUpload = true
                ScreenPictures.liveIfStillShown(ui.activity, "live_settlement_upload_progress", listOf(ui.str(R.string.stage_uploading_hint))) {
                    ui.current === s && s.stage == Stage.UPLOADING
                }
            }
            s is SettlementReportScreen
        }
        assertTrue(ui.texts().toString(), ui.shows(R.string.settle_uploaded))
        assertTrue(ui.shows(R.string.settle_domestic_credit) && ui.shows(R.string.fn_sale))
        assertTrue(ui.shows(R.string.settle_count_amount, 2, "30.00"))
        ScreenPictures.live(ui.activity, "live_settlement_uploaded", listOf(ui.str(R.string.settle_uploaded)))
        assertTrue("the upload stage was shown (or ran between two frames)", sawUpload || ui.shows(R.string.settle_uploaded_count, 2))
        ui.tap(R.string.action_print_report)
        ui.waitFor<ReceiptScreen>()
        assertTrue(ui.shows("SETTLEMENT REPORT") || ui.shows("结算总计单"))
    }
}
