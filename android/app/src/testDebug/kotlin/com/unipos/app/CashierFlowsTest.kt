package com.unipos.app

import com.unipos.app.hardware.SimulatedHardware
import com.unipos.app.ui.screens.ConfirmScreen
import com.unipos.app.ui.screens.DetailScreen
import com.unipos.app.ui.screens.FindOriginalScreen
import com.unipos.app.ui.screens.HomeScreen
import com.unipos.app.ui.screens.JournalScreen
import com.unipos.app.ui.screens.MenuScreen
import com.unipos.app.ui.screens.OperatorsScreen
import com.unipos.app.ui.screens.ReceiptScreen
import com.unipos.app.ui.screens.ResultScreen
import com.unipos.app.ui.screens.SignInScreen
import com.unipos.app.ui.screens.SupervisorScreen
import com.unipos.app.ui.screens.ChangePasswordScreen
import com.unipos.app.ui.screens.AmountScreen
import com.unipos.core.PosResult
import com.unipos.core.ffi.JournalFilter
import com.unipos.core.ffi.KindGroup
import com.unipos.core.ffi.OriginalView
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
 * The cashier's day through the screens, over the real library and a real `unipos host run`:
 * the first use (the supervisor replaces the factory password and adds an operator, who signs in),
 * a sale with the receipt preview, a void picked from the list with the supervisor's password
 * (a wrong one first), a refund by reference number and date, a completion at 115 %, a balance
 * inquiry, the journal with its filter and detail, sign-out and sign-in.
 */
class FlowsTestApp : TestApp("62969010")

@RunWith(RobolectricTestRunner::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(sdk = [30], application = FlowsTestApp::class, qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
class CashierFlowsTest {
    private lateinit var app: TestApp
    private lateinit var ui: CashierDriver
    private val card = SimulatedHardware.TEST_CARD

    @Before fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        app.runtime.dispatcher.awaitIdle(60_000)
    }

    @After fun tearDown() {
        HostSim.clearFaults()
        app.closeRuntime()
    }

    private fun journal(group: KindGroup): List<OriginalView> = app.runtime.withCore { c ->
        runBlocking { c.desk.journal(JournalFilter(group, null, null, 50)) }
    }.get().let { (it as PosResult.Success).value }

    private fun saleThroughHome(digits: String): ResultScreen {
        ui.waitFor<HomeScreen>()
        ui.keys(digits)
        ui.tap(R.string.pay_card)
        return ui.waitFor()
    }

    @Test fun a01_first_use_supervisor_replaces_the_factory_password_and_adds_an_operator() {
        ui = CashierDriver.launch()
        // Nobody signed in: the home screen sends the cashier to the sign-in.
        ui.waitFor<SignInScreen>()
        ui.tap(R.string.signin_manage)
        ui.waitFor<SupervisorScreen>()
        ui.keys(Passwords.FACTORY)
        ui.tap(R.string.action_authorise)
        ui.waitFor<ChangePasswordScreen>()
        ui.keys("12")                      // too short: refused by the engine's rule, in words
        ui.tap(R.string.pw_repeat); ui.keys("12")
        ui.tap(R.string.action_save)
        ui.until("rule shown") { ui.shows(R.string.pw_rules_supervisor) && (ui.current as ChangePasswordScreen).problem != null }
        ui.keys(Passwords.SUPERVISOR)
        ui.tap(R.string.pw_repeat); ui.keys(Passwords.SUPERVISOR)
        ui.tap(R.string.action_save)
        ui.waitFor<SupervisorScreen>()
        ui.until("changed notice") { ui.shows(R.string.supervisor_changed) }
        ui.keys(Passwords.SUPERVISOR)
        ui.tap(R.string.action_authorise)
        ui.waitFor<OperatorsScreen>()
        ui.until("accounts listed") { ui.shows("00") }
        ui.type(R.string.signin_number, "01")
        ui.type(R.string.operators_new_password, Passwords.OPERATOR)
        ui.tap(R.string.operators_add)
        ui.until("operator added") { ui.shows(R.string.operators_added, "01") }
        assertTrue(ui.texts().none { it.contains(Passwords.OPERATOR) })
        ui.activity.onBackPressed()
        ui.waitFor<SignInScreen>()
        ui.keys("01"); ui.keys("9999")
        ui.tap(R.string.action_sign_in_operator)
        ui.until("wrong password") { ui.shows(R.string.pw_wrong, 2) }
        ui.keys(Passwords.OPERATOR)
        ui.tap(R.string.action_sign_in_operator)
        ui.waitFor<HomeScreen>()
        ui.until("operator in the bar") { ui.shows(R.string.bar_operator, "01") }
    }

    @Test fun a02_sale_from_home_with_the_receipt_preview() {
        app.operatorSignedIn()
        ui = CashierDriver.launch()
        val before = HostSim.available(card)
        val result = saleThroughHome("1234")
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_approved))
        assertTrue(ui.shows(R.string.amount_yuan, "12.34"))
        assertTrue(ui.shows(R.string.result_signature))
        assertTrue(ui.shows("621234******1232"))
        assertEquals(before - 1234, HostSim.available(card))
        ScreenPictures.live(ui.activity, "live_sale_approved", listOf(ui.str(R.string.verdict_approved), "621234******1232"))
        ui.tap(R.string.action_receipt)
        ui.waitFor<ReceiptScreen>()
        // The engine's slip: masked card, the operator who did it, the signature line.
        assertTrue(ui.shows("OPERATOR") && ui.shows("001") && ui.shows("持卡人签名"))
        assertTrue(ui.texts().none { it.contains(card) })
        ScreenPictures.live(ui.activity, "live_receipt_preview", listOf(ui.str(R.string.receipt_preview_note)))
        assertTrue(!result.isCurrent)
    }

    @Test fun a03_void_picked_from_the_list_with_the_supervisor_password() {
        app.operatorSignedIn()
        ui = CashierDriver.launch()
        saleThroughHome("2500")
        val sale = journal(KindGroup.SALES).first { it.outcome.approvedAmount == 2500L && !it.voided }
        val before = HostSim.available(card)
        ui.tap(R.string.action_done)
        ui.waitFor<HomeScreen>()
        ui.tap(R.string.action_menu)
        ui.waitFor<MenuScreen>()
        ui.tap(R.string.fn_void)
        ui.waitFor<FindOriginalScreen>()
        ui.until("the list") { ui.shows("%06d".format(sale.outcome.trace)) }
        ui.tapRowWith("%06d".format(sale.outcome.trace))
        ui.waitFor<ConfirmScreen>()
        assertTrue(ui.shows("621234******1232") && ui.shows(R.string.amount_yuan, "25.00"))
        ui.tap(R.string.action_confirm_void)
        ui.waitFor<SupervisorScreen>()
        ui.keys("000000")
        ui.tap(R.string.action_authorise)
        ui.until("refused") { ui.shows(R.string.pw_wrong, 2) }
        ScreenPictures.live(ui.activity, "live_void_supervisor_refused", listOf(ui.str(R.string.pw_wrong, 2)))
        ui.keys(Passwords.SUPERVISOR)
        ui.tap(R.string.action_authorise)
        ui.waitFor<ResultScreen>()
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_approved))
        assertEquals(before + 2500, HostSim.available(card))
        assertTrue(journal(KindGroup.SALES).first { it.outcome.trace == sale.outcome.trace }.voided)
    }

    @Test fun a04_refund_by_reference_number_and_date() {
        app.operatorSignedIn()
        ui = CashierDriver.launch()
        saleThroughHome("3000")
        val sale = journal(KindGroup.SALES).first { it.outcome.approvedAmount == 3000L }
        ui.tap(R.string.action_done)
        ui.tap(R.string.action_menu)
        ui.tap(R.string.fn_refund)
        ui.waitFor<FindOriginalScreen>()
        ui.type(R.string.find_rrn, sale.outcome.rrn!!)
        ui.type(R.string.find_date, sale.outcome.date)
        ui.tap(R.string.action_find)
        ui.waitFor<ConfirmScreen>()
        val before = HostSim.available(card)
        ui.keys("500")
        ui.tap(R.string.action_confirm_refund)
        ui.waitFor<SupervisorScreen>()
        ui.keys(Passwords.SUPERVISOR)
        ui.tap(R.string.action_authorise)
        ui.waitFor<ResultScreen>()
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_approved) && ui.shows(R.string.amount_yuan, "5.00"))
        assertEquals(before + 500, HostSim.available(card))
        // A reference that does not exist is refused in words, before anything else.
        ui.tap(R.string.action_done)
        ui.tap(R.string.action_menu)
        ui.tap(R.string.fn_refund)
        ui.waitFor<FindOriginalScreen>()
        ui.type(R.string.find_rrn, "999999999999")
        ui.type(R.string.find_date, sale.outcome.date)
        ui.tap(R.string.action_find)
        ui.until("not found") { ui.shows(R.string.err_original_not_found) }
    }

    @Test fun a05_completion_at_115_percent() {
        app.operatorSignedIn()
        ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        ui.tap(R.string.action_menu)
        ui.tap(R.string.fn_preauth)
        ui.waitFor<AmountScreen>()
        ui.keys("10000")
        ui.tap(R.string.action_next)
        ui.waitFor<ResultScreen>()
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_approved) && ui.shows(R.string.result_signature_preauth))
        val preauth = journal(KindGroup.PRE_AUTHS).first { it.outcome.approvedAmount == 10000L && !it.completed }
        ui.tap(R.string.action_done)
        ui.tap(R.string.action_menu)
        ui.tap(R.string.fn_completion)
        ui.waitFor<FindOriginalScreen>()
        ui.until("the list") { ui.shows(preauth.outcome.authCode!!) || ui.shows("%06d".format(preauth.outcome.trace)) }
        ui.tapRowWith("%06d".format(preauth.outcome.trace))
        ui.waitFor<ConfirmScreen>()
        ui.keys("11501")                    // 115.01: above 115 %, refused by the engine
        ui.tap(R.string.action_confirm_completion)
        ui.waitFor<ResultScreen>()
        assertTrue(ui.texts().toString(), ui.shows(R.string.err_amount_exceeds))
        ui.activity.onBackPressed()
        ui.waitFor<ConfirmScreen>()
        repeat(5) { ui.tap(R.string.key_delete) }
        ui.keys("11500")
        ui.tap(R.string.action_confirm_completion)
        ui.waitFor<ResultScreen>()
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_approved) && ui.shows(R.string.amount_yuan, "115.00"))
        ScreenPictures.live(ui.activity, "live_completion_115", listOf(ui.str(R.string.amount_yuan, "115.00")))
        assertTrue(journal(KindGroup.PRE_AUTHS).first { it.outcome.trace == preauth.outcome.trace }.completed)
    }

    @Test fun a06_balance_journal_filter_and_detail() {
        app.operatorSignedIn()
        ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        ui.tap(R.string.action_menu)
        ui.tap(R.string.fn_balance)
        ui.waitFor<ResultScreen>()
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_approved) && ui.shows(R.string.detail_balance))
        ui.tap(R.string.action_done)
        ui.tap(R.string.action_menu)
        ui.tap(R.string.fn_journal)
        ui.waitFor<JournalScreen>()
        ui.tap(R.string.filter_voids)
        ui.until("voids only") { ui.shows(R.string.fn_void) && !ui.shows(R.string.fn_balance) }
        val void = journal(KindGroup.VOIDS).first()
        ui.tapRowWith("%06d".format(void.outcome.trace))
        ui.waitFor<DetailScreen>()
        assertTrue(ui.shows(R.string.detail_operator) && ui.shows("001"))
    }

    @Test fun a07_sign_out_then_sign_in() {
        app.operatorSignedIn()
        ui = CashierDriver.launch()
        ui.waitFor<HomeScreen>()
        ui.tap(R.string.action_menu)
        ui.tap(R.string.fn_sign_out)
        ui.waitFor<ResultScreen>()
        assertTrue(ui.shows(R.string.verdict_approved))
        ui.tap(R.string.action_done)
        saleThroughHome("100")
        assertTrue(ui.texts().toString(), ui.shows(R.string.err_not_signed_in))
        ui.tap(R.string.fn_sign_in)
        ui.waitFor<ResultScreen>()
        ui.until("signed in") { ui.shows(R.string.verdict_approved) && ui.shows(R.string.detail_batch) }
        ui.tap(R.string.action_done)
        saleThroughHome("100")
        assertTrue(ui.texts().toString(), ui.shows(R.string.verdict_approved))
    }
}
