package com.unipos.app.ui

import com.unipos.app.R
import com.unipos.app.cashier.Txn
import com.unipos.app.cashier.TxnDone
import com.unipos.app.cashier.runTxn
import com.unipos.app.ui.screens.AmountScreen
import com.unipos.app.ui.screens.FindOriginalScreen
import com.unipos.app.ui.screens.Lookup
import com.unipos.app.ui.screens.ManageScreen
import com.unipos.app.ui.screens.ProgressScreen
import com.unipos.app.ui.screens.QrOrdersScreen
import com.unipos.app.ui.screens.QrShowScreen
import com.unipos.app.ui.screens.JournalScreen
import com.unipos.app.ui.screens.ReprintScreen
import com.unipos.app.ui.screens.ResultScreen
import com.unipos.app.ui.screens.SettlementReportScreen
import com.unipos.app.ui.screens.SettlementScreen
import com.unipos.app.ui.screens.SupervisorScreen
import com.unipos.core.PosCore
import com.unipos.core.PosResult
import com.unipos.core.ffi.ProgressEvent
import com.unipos.core.ffi.QrDynamicCode
import com.unipos.sdk.ErrorCodes
import kotlinx.coroutines.runBlocking

/** The function menu (功能), in the order UnionPay terminals list it. */
enum class Function(val title: Int) {
    SALE(R.string.fn_sale),
    VOID(R.string.fn_void),
    REFUND(R.string.fn_refund),
    PREAUTH(R.string.fn_preauth),
    PREAUTH_VOID(R.string.fn_preauth_void),
    COMPLETION(R.string.fn_completion),
    COMPLETION_ADVICE(R.string.fn_completion_advice),
    COMPLETION_VOID(R.string.fn_completion_void),
    BALANCE(R.string.fn_balance),
    QR_REFUND(R.string.fn_qr_refund),
    QR_QUERY(R.string.fn_qr_query),
    JOURNAL(R.string.fn_journal),
    REPRINT(R.string.fn_reprint),
    SETTLE(R.string.fn_settle),
    SIGN_IN(R.string.fn_sign_in),
    SIGN_OUT(R.string.fn_sign_out),
    MANAGE(R.string.fn_manage),
}

/**
 * Something that runs at the desk with the progress screen: a transaction, a settlement, a
 * sign-in. [title] names it on every screen; [amount] is shown while it runs.
 */
class Job(val title: Int, val amount: Long?, val run: (PosCore, showCode: (QrDynamicCode, Long) -> Unit) -> PosResult<TxnDone>)

/** The sequences of screens: the engine decides each step's outcome; these only order them. */
object Flows {
    fun titleOf(txn: Txn): Int = when (txn) {
        is Txn.Sale -> R.string.fn_sale
        is Txn.Void -> R.string.fn_void
        is Txn.Refund -> R.string.fn_refund
        is Txn.PreAuth -> R.string.fn_preauth
        is Txn.PreAuthVoid -> R.string.fn_preauth_void
        is Txn.Completion -> if (txn.advice) R.string.fn_completion_advice else R.string.fn_completion
        is Txn.CompletionVoid -> R.string.fn_completion_void
        Txn.Balance -> R.string.fn_balance
        is Txn.QrScan -> R.string.pay_scan
        is Txn.QrShow -> R.string.pay_show_code
        is Txn.QrRefund -> R.string.fn_qr_refund
    }

    /** [txn], after the supervisor's password when it is guarded. */
    fun run(nav: Navigator, txn: Txn) {
        val guard = txn.guard
        if (guard == null) {
            start(nav, jobOf(nav, txn, null))
        } else {
            nav.push(SupervisorScreen(guard) { grant -> start(nav, jobOf(nav, txn, grant.token), replace = true) })
        }
    }

    private fun jobOf(nav: Navigator, txn: Txn, grant: String?) = Job(titleOf(txn), txn.amount) { core, show ->
        runTxn(core, txn, grant, scan = { nav.desk.scanPaymentCode(QR_SCAN_WAIT_MS) }, showCode = show)
    }

    /** Runs [job] with the progress screen, then its result. */
    fun start(nav: Navigator, job: Job, replace: Boolean = false) {
        if (nav.desk.busy) {
            val busy = ResultScreen(Results.failure(job.title, job.amount, PosResult.Failure(ErrorCodes.TERMINAL_BUSY, ""), nav.ui))
            if (replace) nav.replace(busy) else nav.push(busy)
            return
        }
        val screen = ProgressScreen(job.title, job.amount, Stage.STARTING)
        if (replace) nav.replace(screen) else nav.push(screen)
        nav.desk.transaction(
            block = { core ->
                job.run(core) { code, deadline -> nav.activity.runOnUiThread { if (screen.isCurrent || nav.current is QrShowScreen) nav.replace(QrShowScreen(job.title, code, deadline)) } }
            },
            onEvent = { e: ProgressEvent ->
                when (val s = nav.current) {
                    is ProgressScreen -> s.onEvent(e)
                    is QrShowScreen -> s.onEvent(e)
                    else -> {}
                }
            },
            done = { r -> finish(nav, job, r) },
        )
    }

    private fun finish(nav: Navigator, job: Job, r: PosResult<TxnDone>) {
        val done = (r as? PosResult.Success)?.value
        val next = if (done is TxnDone.Settled) SettlementReportScreen(done.report)
        else ResultScreen(Results.of(job.title, job.amount, r, nav.desk.slips(), nav.ui))
        nav.replace(next)
    }

    /** The function menu's entries. */
    fun open(nav: Navigator, f: Function) {
        when (f) {
            Function.SALE -> nav.push(AmountScreen(R.string.fn_sale) { amount -> run(nav, Txn.Sale(amount)) })
            Function.PREAUTH -> nav.push(AmountScreen(R.string.fn_preauth) { amount -> run(nav, Txn.PreAuth(amount)) })
            Function.VOID -> nav.push(FindOriginalScreen(Lookup.VOID))
            Function.REFUND -> nav.push(FindOriginalScreen(Lookup.REFUND))
            Function.PREAUTH_VOID -> nav.push(FindOriginalScreen(Lookup.PREAUTH_VOID))
            Function.COMPLETION -> nav.push(FindOriginalScreen(Lookup.COMPLETION))
            Function.COMPLETION_ADVICE -> nav.push(FindOriginalScreen(Lookup.COMPLETION_ADVICE))
            Function.COMPLETION_VOID -> nav.push(FindOriginalScreen(Lookup.COMPLETION_VOID))
            Function.BALANCE -> run(nav, Txn.Balance)
            Function.QR_REFUND -> nav.push(QrOrdersScreen(refund = true))
            Function.QR_QUERY -> nav.push(QrOrdersScreen(refund = false))
            Function.JOURNAL -> nav.push(JournalScreen())
            Function.REPRINT -> nav.push(ReprintScreen())
            Function.SETTLE -> nav.push(SettlementScreen())
            Function.SIGN_IN -> start(nav, Job(R.string.fn_sign_in, null) { core, _ ->
                runBlocking { core.startup() }.map { TxnDone.SignedIn(it) }
            })
            Function.SIGN_OUT -> start(nav, Job(R.string.fn_sign_out, null) { core, _ ->
                runBlocking { core.desk.signOutTerminal() }.map { TxnDone.Done }
            })
            Function.MANAGE -> nav.push(ManageScreen())
        }
    }

    /** How long the scanner may take to read the customer's code. */
    const val QR_SCAN_WAIT_MS = 60_000L
}
