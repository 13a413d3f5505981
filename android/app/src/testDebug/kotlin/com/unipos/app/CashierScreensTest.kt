package com.unipos.app

import com.unipos.app.cashier.AmountEntry
import com.unipos.app.provisioning.Field
import com.unipos.app.ui.CashierActivity
import com.unipos.app.ui.Results
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Stage
import com.unipos.app.ui.screens.AmountScreen
import com.unipos.app.ui.screens.ChangePasswordScreen
import com.unipos.app.ui.screens.ConfirmScreen
import com.unipos.app.ui.screens.DetailScreen
import com.unipos.app.ui.screens.FindOriginalScreen
import com.unipos.app.ui.screens.HomeScreen
import com.unipos.app.ui.screens.Info
import com.unipos.app.ui.screens.InfoScreen
import com.unipos.app.ui.screens.JournalScreen
import com.unipos.app.ui.screens.Lookup
import com.unipos.app.ui.screens.ManageScreen
import com.unipos.app.ui.screens.MenuScreen
import com.unipos.app.ui.screens.OperatorsScreen
import com.unipos.app.ui.screens.ProgressScreen
import com.unipos.app.ui.screens.QrOrderScreen
import com.unipos.app.ui.screens.QrOrdersScreen
import com.unipos.app.ui.screens.QrRefundScreen
import com.unipos.app.ui.screens.QrShowScreen
import com.unipos.app.ui.screens.ReprintScreen
import com.unipos.app.ui.screens.ResultScreen
import com.unipos.app.ui.screens.SettlementReportScreen
import com.unipos.app.ui.screens.SettlementScreen
import com.unipos.app.ui.screens.SetupScreen
import com.unipos.app.ui.screens.SignInScreen
import com.unipos.app.ui.screens.SupervisorScreen
import com.unipos.app.ui.screens.UnresolvedScreen
import com.unipos.core.ffi.GuardedAction
import com.unipos.core.ffi.KindGroup
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.TxnKind
import com.unipos.core.ffi.Unresolved
import com.unipos.sdk.ErrorCodes
import org.junit.After
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import com.unipos.app.ui.screens.Lookup as L

class ScreensTestApp : TestApp("62969016")

/**
 * Pictures of every screen and state from fixed data (docs/screens/, compared pixel by pixel):
 * Chinese at 720x1280 (w360dp-h640dp-xhdpi) and 1080x2160 (w360dp-h720dp-xxhdpi), English at
 * both. The pictures of live flows are taken by the behaviour tests (Cashier*Test).
 */
@RunWith(RobolectricTestRunner::class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(sdk = [30], application = ScreensTestApp::class)
class CashierScreensTest {
    private lateinit var app: TestApp
    private lateinit var activity: CashierActivity
    private var taken = 0

    @Before fun setUp() {
        app = RuntimeEnvironment.getApplication() as TestApp
        app.runtime.dispatcher.awaitIdle(60_000)
        activity = Robolectric.buildActivity(CashierActivity::class.java).setup().get()
    }

    @After fun tearDown() { app.closeRuntime() }

    private fun s(id: Int, vararg args: Any): String = if (args.isEmpty()) activity.getString(id) else activity.getString(id, *args)

    private fun shot(name: String, screen: Screen, vararg keys: String, operator: String? = "01") {
        activity.showStatic(screen, operator)
        ScreenPictures.static(activity, name, keys.toList())
        taken++
    }

    private fun ui() = activity.navigator.ui

    private fun yuan(fen: Long) = s(R.string.amount_yuan, com.unipos.app.cashier.Money.yuan(fen))

    @Test @Config(qualifiers = "zh-rCN-w360dp-h640dp-xhdpi")
    fun chinese_720x1280() {
        shot("zh_720_home", HomeScreen(unresolved = Unresolved(emptyList(), emptyList(), emptyList(), emptyList())),
            s(R.string.pay_card), s(R.string.pay_scan), s(R.string.pay_show_code), s(R.string.action_menu), yuan(0))
        shot("zh_720_home_amount", HomeScreen(AmountEntry(1_288_000)), yuan(1_288_000))
        shot("zh_720_home_unresolved", HomeScreen(AmountEntry(0), ScreenFixtures.unresolved),
            activity.resources.getQuantityString(R.plurals.home_unresolved, 4, 4))
        shot("zh_720_menu", MenuScreen(), s(R.string.fn_void), s(R.string.fn_completion_void), s(R.string.fn_qr_query), s(R.string.fn_manage))
        shot("zh_720_signin", SignInScreen("01"), s(R.string.signin_number), s(R.string.signin_password), s(R.string.action_sign_in_operator), operator = null)
        shot("zh_720_signin_wrong", SignInScreen("01").apply { problem = s(R.string.pw_wrong, 2) }, s(R.string.pw_wrong, 2), operator = null)
        shot("zh_720_supervisor", SupervisorScreen(GuardedAction.VOID) {}, s(R.string.supervisor_password), s(R.string.action_authorise))
        shot("zh_720_supervisor_wrong", SupervisorScreen(GuardedAction.VOID) {}.apply { problem = s(R.string.pw_wrong, 1) }, s(R.string.pw_wrong, 1))
        shot("zh_720_password_change", ChangePasswordScreen("00", "123456") {}, s(R.string.pw_new), s(R.string.pw_repeat))
        shot("zh_720_preauth_amount", AmountScreen(R.string.fn_preauth) {}, s(R.string.fn_preauth), s(R.string.action_next))
        shot("zh_720_void_find", FindOriginalScreen(L.VOID, ScreenFixtures.sales), s(R.string.find_trace), s(R.string.find_or_pick), yuan(5_000))
        shot("zh_720_refund_find", FindOriginalScreen(L.REFUND, ScreenFixtures.sales), s(R.string.find_rrn), s(R.string.find_date))
        shot("zh_720_completion_find", FindOriginalScreen(L.COMPLETION, ScreenFixtures.preAuths), s(R.string.find_auth), yuan(100_000))
        shot("zh_720_void_confirm", ConfirmScreen(L.VOID, ScreenFixtures.sales[1]), "622202******3456", yuan(12_880), s(R.string.action_confirm_void))
        shot("zh_720_refund_confirm", ConfirmScreen(L.REFUND, ScreenFixtures.sales[2]), s(R.string.confirm_refund_hint), s(R.string.action_confirm_refund))
        shot("zh_720_completion_confirm", ConfirmScreen(Lookup.COMPLETION, ScreenFixtures.preAuths[0]), s(R.string.confirm_completion_hint))
        shot("zh_720_progress_card", ProgressScreen(R.string.fn_sale, 12_880, Stage.CARD), s(R.string.stage_card), s(R.string.action_cancel))
        shot("zh_720_progress_pin", ProgressScreen(R.string.fn_sale, 12_880, Stage.PIN), s(R.string.stage_pin))
        shot("zh_720_progress_online", ProgressScreen(R.string.fn_sale, 12_880, Stage.ONLINE), s(R.string.stage_online))
        shot("zh_720_progress_wallet", ProgressScreen(R.string.pay_scan, 3_650, Stage.CUSTOMER_CONFIRMING), s(R.string.stage_customer_confirming), s(R.string.action_cancel))
        shot("zh_720_progress_wallet_cancelling", ProgressScreen(R.string.pay_scan, 3_650, Stage.CUSTOMER_CONFIRMING).apply { cancelling = true },
            s(R.string.qr_cancelling))
        shot("zh_720_qr_show", QrShowScreen(R.string.pay_show_code, ScreenFixtures.dynamicCode(), 120_000, now = { 0L }),
            s(R.string.qr_show_scan), s(R.string.qr_show_countdown, 120), s(R.string.action_cancel), yuan(3_650))
        shot("zh_720_qr_show_closing", QrShowScreen(R.string.pay_show_code, ScreenFixtures.dynamicCode(), 120_000, now = { 0L }).apply { cancelling = true },
            s(R.string.qr_show_closing))
        shot("zh_720_progress_upload", ProgressScreen(R.string.fn_settle, null, Stage.UPLOADING, 3 to 6), s(R.string.stage_uploading, 3, 6))
        val approved = Results.card(R.string.fn_sale, ScreenFixtures.outcome(), emptyList(), ui())
        shot("zh_720_result_approved", ResultScreen(approved), s(R.string.verdict_approved), yuan(12_880), s(R.string.result_signature))
        val declined = Results.card(R.string.fn_sale, ScreenFixtures.outcome(status = OutcomeStatus.DECLINED, responseCode = "51",
            message = "余额不足 / Insufficient funds", authCode = null, errorCode = ErrorCodes.HOST_DECLINED), emptyList(), ui())
        shot("zh_720_result_declined", ResultScreen(declined), s(R.string.verdict_declined), "余额不足")
        val partial = Results.card(R.string.fn_sale, ScreenFixtures.outcome(status = OutcomeStatus.PARTIALLY_APPROVED, amount = 20_000, approved = 15_000), emptyList(), ui())
        shot("zh_720_result_partial", ResultScreen(partial), s(R.string.verdict_partial), s(R.string.result_still_to_collect, com.unipos.app.cashier.Money.yuan(5_000)))
        val unknown = Results.card(R.string.fn_sale, ScreenFixtures.outcome(status = OutcomeStatus.REVERSAL_PENDING, responseCode = null, authCode = null, rrn = null), emptyList(), ui())
        shot("zh_720_result_unknown", ResultScreen(unknown), s(R.string.verdict_unknown), s(R.string.result_unknown_reason))
        val preauth = Results.card(R.string.fn_preauth, ScreenFixtures.outcome(kind = TxnKind.PRE_AUTH, amount = 100_000), emptyList(), ui())
        shot("zh_720_result_preauth", ResultScreen(preauth), s(R.string.result_signature_preauth))
        val balance = Results.card(R.string.fn_balance, ScreenFixtures.outcome(kind = TxnKind.BALANCE_INQUIRY, amount = 0, balance = 523_410), emptyList(), ui())
        shot("zh_720_result_balance", ResultScreen(balance), yuan(523_410))
        shot("zh_720_journal", JournalScreen(KindGroup.ALL, ScreenFixtures.journal), s(R.string.filter_all), s(R.string.filter_voids), yuan(5_000))
        shot("zh_720_journal_detail", DetailScreen(ScreenFixtures.journal[0]), s(R.string.detail_rrn), "120110301512", s(R.string.fn_void), s(R.string.fn_refund))
        shot("zh_720_reprint", ReprintScreen(), s(R.string.reprint_last), s(R.string.reprint_by_trace), s(R.string.reprint_settlement))
        shot("zh_720_settlement", SettlementScreen(1), s(R.string.action_settle), "000001")
        shot("zh_720_settlement_report", SettlementReportScreen(ScreenFixtures.settlement), s(R.string.settle_uploaded),
            s(R.string.settle_uploaded_count, 6), s(R.string.settle_domestic_debit), s(R.string.channel_wechat))
        shot("zh_720_unresolved", UnresolvedScreen(ScreenFixtures.unresolved), s(R.string.unresolved_do_not_charge),
            s(R.string.action_reverse_now), s(R.string.action_supervisor_retry))
        shot("zh_720_qr_orders", QrOrdersScreen(refund = false, orders = ScreenFixtures.qrOrders), s(R.string.channel_wechat), s(R.string.channel_alipay))
        shot("zh_720_qr_order", QrOrderScreen(ScreenFixtures.qrOrders[0]), s(R.string.qr_status_paid), s(R.string.fn_qr_refund))
        shot("zh_720_qr_refund", QrRefundScreen(ScreenFixtures.qrOrders[3]), s(R.string.action_confirm_refund))
        shot("zh_720_manage", ManageScreen(), s(R.string.manage_operators), s(R.string.manage_keys), s(R.string.manage_setup), s(R.string.manage_version))
        shot("zh_720_operators", OperatorsScreen(null, ScreenFixtures.operators), s(R.string.operators_supervisor), s(R.string.operators_add))
        shot("zh_720_terminal_info", InfoScreen(Info.TERMINAL, listOf(
            s(R.string.info_terminal_id) to "62969016", s(R.string.info_merchant_id) to "301310048990001",
            s(R.string.info_merchant_name) to "UNIPOS TEST MERCHANT", s(R.string.detail_batch) to "000001", s(R.string.detail_operator) to "01",
        )), "62969016", "301310048990001")
        shot("zh_720_keys", InfoScreen(Info.KEYS, listOf(s(R.string.keys_installed) to s(R.string.yes),
            s(R.string.keys_check_value, "PIK") to "8CA64DE9", s(R.string.keys_check_value, "MAK") to "D2DB51F1")), "8CA64DE9")
        shot("zh_720_echo", InfoScreen(Info.ECHO, listOf(s(R.string.echo_answer) to "00", s(R.string.echo_round_trip) to s(R.string.echo_ms, 35))), s(R.string.echo_answer))
        shot("zh_720_parameters", InfoScreen(Info.PARAMETERS, listOf(
            s(R.string.param_profile) to "cup-2013", s(R.string.param_tpdu) to "6000030000", s(R.string.param_mac_scheme) to "ecb",
            s(R.string.param_key_mode) to "003", s(R.string.param_currency) to "156", s(R.string.param_response_timeout) to "30000",
            s(R.string.param_reversal_retries) to "3", s(R.string.param_auto_settlement) to "23:30", s(R.string.param_ca_keys) to "12",
            s(R.string.param_aids) to "10",
        )), s(R.string.param_tpdu), "6000030000")
        shot("zh_720_version", InfoScreen(Info.VERSION, listOf(s(R.string.version_app) to "0.1.0", s(R.string.version_core) to "0.1.0")),
            s(R.string.version_app), s(R.string.version_core))
        shot("zh_720_printer_test", InfoScreen(Info.PRINTER, listOf(s(R.string.printer_ok) to s(R.string.printer_lines, 12))), s(R.string.printer_ok))
        shot("zh_720_setup", SetupScreen("grant", setupValues()), s(Field.TERMINAL_ID.title), s(Field.POSP_TLS.title), s(R.string.action_apply))
        assertTrue("pictures taken: $taken", taken >= 40)
    }

    @Test @Config(qualifiers = "zh-rCN-w360dp-h720dp-xxhdpi")
    fun chinese_1080x2160() {
        shot("zh_1080_home", HomeScreen(AmountEntry(12_880)), s(R.string.pay_card), yuan(12_880))
        shot("zh_1080_menu", MenuScreen(), s(R.string.fn_settle))
        shot("zh_1080_qr_show", QrShowScreen(R.string.pay_show_code, ScreenFixtures.dynamicCode(), 120_000, now = { 0L }),
            s(R.string.qr_show_scan), s(R.string.action_cancel))
        shot("zh_1080_progress_wallet_cancelling", ProgressScreen(R.string.pay_scan, 3_650, Stage.CUSTOMER_CONFIRMING).apply { cancelling = true },
            s(R.string.qr_cancelling))
        shot("zh_1080_result_unknown", ResultScreen(Results.card(R.string.fn_sale,
            ScreenFixtures.outcome(status = OutcomeStatus.REVERSAL_PENDING, responseCode = null, authCode = null, rrn = null), emptyList(), ui())), s(R.string.result_unknown_reason))
        shot("zh_1080_settlement_report", SettlementReportScreen(ScreenFixtures.settlement), s(R.string.settle_uploaded))
    }

    @Test @Config(qualifiers = "en-rUS-w360dp-h640dp-xhdpi")
    fun english_720x1280() {
        shot("en_720_home", HomeScreen(AmountEntry(0)), "Card", // the English resources, not the Chinese default
            s(R.string.pay_scan), s(R.string.pay_show_code))
        shot("en_720_menu", MenuScreen(), s(R.string.fn_void), s(R.string.fn_completion_advice))
        shot("en_720_supervisor", SupervisorScreen(GuardedAction.REFUND) {}, s(R.string.supervisor_password))
        shot("en_720_result_approved", ResultScreen(Results.card(R.string.fn_sale, ScreenFixtures.outcome(), emptyList(), ui())), "Approved")
        shot("en_720_result_declined", ResultScreen(Results.card(R.string.fn_sale, ScreenFixtures.outcome(status = OutcomeStatus.DECLINED,
            responseCode = "51", message = "余额不足 / Insufficient funds", authCode = null), emptyList(), ui())), "Insufficient funds")
        shot("en_720_result_partial", ResultScreen(Results.card(R.string.fn_sale,
            ScreenFixtures.outcome(status = OutcomeStatus.PARTIALLY_APPROVED, amount = 20_000, approved = 15_000), emptyList(), ui())), s(R.string.verdict_partial))
        shot("en_720_result_unknown", ResultScreen(Results.card(R.string.fn_sale,
            ScreenFixtures.outcome(status = OutcomeStatus.REVERSAL_PENDING, responseCode = null, authCode = null, rrn = null), emptyList(), ui())), s(R.string.result_unknown_reason))
        shot("en_720_void_confirm", ConfirmScreen(L.VOID, ScreenFixtures.sales[1]), s(R.string.action_confirm_void))
        shot("en_720_qr_show", QrShowScreen(R.string.pay_show_code, ScreenFixtures.dynamicCode(), 120_000, now = { 0L }),
            s(R.string.qr_show_scan), s(R.string.qr_show_countdown, 120), s(R.string.action_cancel))
        shot("en_720_progress_wallet_cancelling", ProgressScreen(R.string.pay_scan, 3_650, Stage.CUSTOMER_CONFIRMING).apply { cancelling = true },
            s(R.string.qr_cancelling))
        shot("en_720_unresolved", UnresolvedScreen(ScreenFixtures.unresolved), s(R.string.unresolved_do_not_charge))
        shot("en_720_settlement_report", SettlementReportScreen(ScreenFixtures.settlement), s(R.string.settle_domestic_debit))
        shot("en_720_manage", ManageScreen(), s(R.string.manage_operators))
        shot("en_720_setup", SetupScreen("grant", setupValues()), s(Field.TERMINAL_ID.title), s(Field.POSP_TLS.title), s(R.string.action_apply))
    }

    @Test @Config(qualifiers = "en-rUS-w360dp-h720dp-xxhdpi")
    fun english_1080x2160() {
        shot("en_1080_home", HomeScreen(AmountEntry(12_880)), "Card", yuan(12_880))
        shot("en_1080_menu", MenuScreen(), s(R.string.fn_qr_refund))
        shot("en_1080_qr_show", QrShowScreen(R.string.pay_show_code, ScreenFixtures.dynamicCode(), 120_000, now = { 0L }),
            s(R.string.qr_show_scan), s(R.string.action_cancel))
    }

    /** The setup screen's fixed values: two POSP addresses, TLS on (a switch), the terminal's ids. */
    private fun setupValues() = linkedMapOf(
        Field.POSP_ADDRESSES to "posp1.acquirer.example:5000\nposp2.acquirer.example:5000", Field.POSP_TLS to "true",
        Field.TERMINAL_ID to "62969016", Field.MERCHANT_ID to "301310048990001", Field.MERCHANT_NAME to "UNIPOS TEST MERCHANT",
        Field.RESPONSE_TIMEOUT_MS to "30000", Field.AUTO_SETTLEMENT_TIME to "23:30", Field.BATCH_LIMIT to "500",
    )
}
