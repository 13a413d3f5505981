package com.unipos.app.ui.screens

import android.text.InputFilter
import android.text.InputType
import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.widget.EditText
import android.widget.LinearLayout
import com.unipos.app.R
import com.unipos.app.cashier.AmountEntry
import com.unipos.app.cashier.Money
import com.unipos.app.cashier.Txn
import com.unipos.app.ui.Flows
import com.unipos.app.ui.Key
import com.unipos.app.ui.Results
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Ui
import com.unipos.app.ui.keypad
import com.unipos.core.PosResult
import com.unipos.core.ffi.JournalFilter
import com.unipos.core.ffi.KindGroup
import com.unipos.core.ffi.OriginalKey
import com.unipos.core.ffi.OriginalView
import com.unipos.core.ffi.OutcomeStatus
import com.unipos.core.ffi.TxnKind

/** How each operation names its original, and where the list to pick from comes from. */
enum class Lookup(val title: Int, val group: KindGroup, val kind: TxnKind, val by: By, val confirm: Int) {
    VOID(R.string.fn_void, KindGroup.SALES, TxnKind.SALE, By.TRACE, R.string.action_confirm_void),
    REFUND(R.string.fn_refund, KindGroup.SALES, TxnKind.SALE, By.RRN, R.string.action_confirm_refund),
    PREAUTH_VOID(R.string.fn_preauth_void, KindGroup.PRE_AUTHS, TxnKind.PRE_AUTH, By.AUTH, R.string.action_confirm_preauth_void),
    COMPLETION(R.string.fn_completion, KindGroup.PRE_AUTHS, TxnKind.PRE_AUTH, By.AUTH, R.string.action_confirm_completion),
    COMPLETION_ADVICE(R.string.fn_completion_advice, KindGroup.PRE_AUTHS, TxnKind.PRE_AUTH, By.AUTH, R.string.action_confirm_completion),
    COMPLETION_VOID(R.string.fn_completion_void, KindGroup.PRE_AUTHS, TxnKind.COMPLETION, By.TRACE, R.string.action_confirm_completion_void);

    enum class By { TRACE, RRN, AUTH }

    /** The transaction once the original (and an amount, where one is asked) is known. */
    fun txn(o: OriginalView, amount: Long): Txn = when (this) {
        VOID -> Txn.Void(o)
        REFUND -> Txn.Refund(o, amount)
        PREAUTH_VOID -> Txn.PreAuthVoid(o)
        COMPLETION -> Txn.Completion(o, amount, advice = false)
        COMPLETION_ADVICE -> Txn.Completion(o, amount, advice = true)
        COMPLETION_VOID -> Txn.CompletionVoid(o)
    }

    val asksAmount get() = this == REFUND || this == COMPLETION || this == COMPLETION_ADVICE
}

/** An amount keyed for an operation started from the menu (消费, 预授权). */
class AmountScreen(override val title: Int, private val onAmount: (Long) -> Unit) : Screen() {
    private val entry = AmountEntry()
    private var notice: Int? = null

    override fun build(ui: Ui): View = amountPanel(ui, entry, notice, R.string.action_next) { key ->
        notice = null
        if (key == null) { if (entry.fen > 0) onAmount(entry.fen) else notice = R.string.home_enter_amount }
        refresh()
    }.also { it.setPadding(ui.px(R.dimen.gap), ui.px(R.dimen.gap), ui.px(R.dimen.gap), ui.px(R.dimen.gap)) }

    companion object {
        /**
         * Amount display, keypad and a confirm button; [onKey] gets null for the button. The keypad
         * shares the height left ([fixed] false) or has its own (inside a scrolling screen).
         */
        fun amountPanel(ui: Ui, entry: AmountEntry, notice: Int?, confirm: Int, fixed: Boolean = false, onKey: (Key?) -> Unit): LinearLayout =
            LinearLayout(ui.activity).apply {
                orientation = LinearLayout.VERTICAL
                addView(ui.text(ui.str(R.string.amount_yuan, Money.yuan(entry.fen)), size = R.dimen.text_amount, bold = true).apply {
                    gravity = Gravity.END
                }, ui.fill())
                notice?.let { addView(ui.banner(ui.str(it), R.color.warning, R.color.warning_bg), ui.fill(ui.px(R.dimen.gap_small))) }
                addView(ui.keypad({ k ->
                    when (k) {
                        is Key.Digits -> entry.key(k.digits)
                        Key.Delete -> entry.backspace()
                    }
                    onKey(k)
                }), (if (fixed) LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 4 * ui.px(R.dimen.key_height))
                else LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 0, 1f)).apply { topMargin = ui.px(R.dimen.gap_small) })
                addView(ui.button(confirm) { onKey(null) }, ui.fill(ui.px(R.dimen.gap_small)))
            }
    }
}

/** One journal entry as a tappable row: trace, kind, amount, card, date. */
fun Ui.entryRow(v: OriginalView, onClick: () -> Unit): View {
    val o = v.outcome
    val status = when {
        v.voided -> str(R.string.status_voided)
        v.completed -> str(R.string.status_completed)
        else -> str(statusText(o.status))
    }
    val top = row(
        text("%06d".format(o.trace), bold = true),
        text(str(kindText(o.kind))),
        text(str(R.string.amount_yuan, Money.yuan(if (o.approvedAmount > 0) o.approvedAmount else o.amount)), bold = true).apply { gravity = Gravity.END },
    )
    // The masked card number needs its whole line on a 360dp screen: the date and state go below.
    val middle = text(o.maskedPan.orEmpty(), size = R.dimen.text_small, color = R.color.text_secondary)
    val bottom = row(
        text(Results.dateTime(o.date, o.time), size = R.dimen.text_small, color = R.color.text_secondary),
        text(status, size = R.dimen.text_small, color = R.color.text_secondary).apply { gravity = Gravity.END },
    )
    return card(top, middle, bottom).apply {
        minimumHeight = px(R.dimen.touch_min)
        setOnClickListener { onClick() }
    }
}

fun kindText(k: TxnKind): Int = when (k) {
    TxnKind.BALANCE_INQUIRY -> R.string.fn_balance
    TxnKind.SALE -> R.string.fn_sale
    TxnKind.SALE_VOID -> R.string.fn_void
    TxnKind.REFUND -> R.string.fn_refund
    TxnKind.PRE_AUTH -> R.string.fn_preauth
    TxnKind.PRE_AUTH_VOID -> R.string.fn_preauth_void
    TxnKind.COMPLETION -> R.string.fn_completion
    TxnKind.COMPLETION_ADVICE -> R.string.fn_completion_advice
    TxnKind.COMPLETION_VOID -> R.string.fn_completion_void
    TxnKind.QR_PAY -> R.string.kind_qr_pay
    TxnKind.QR_REFUND -> R.string.fn_qr_refund
    TxnKind.OTHER -> R.string.kind_other
}

fun statusText(s: OutcomeStatus): Int = when (s) {
    OutcomeStatus.APPROVED -> R.string.verdict_approved
    OutcomeStatus.PARTIALLY_APPROVED -> R.string.verdict_partial
    OutcomeStatus.DECLINED -> R.string.verdict_declined
    OutcomeStatus.IN_PROGRESS, OutcomeStatus.REVERSAL_PENDING -> R.string.verdict_unknown
    OutcomeStatus.NOT_SENT -> R.string.status_not_sent
    OutcomeStatus.REVERSED -> R.string.status_reversed
    OutcomeStatus.REVERSAL_PARKED -> R.string.status_reversal_parked
    OutcomeStatus.ADVICE_PENDING -> R.string.status_advice_pending
}

/**
 * 查找原交易: the original by trace, by reference number and date, or by authorisation code and
 * date (typed), or picked from the journal list.
 */
class FindOriginalScreen(private val lookup: Lookup, var entries: List<OriginalView>? = null) : Screen() {
    override val title get() = lookup.title
    private var problem: String? = null
    private val typed = HashMap<Int, String>()

    override fun onShown() {
        if (entries != null) return
        desk.desk({ d -> d.journal(JournalFilter(lookup.group, null, null, 50)) }) { r ->
            if (!isCurrent) return@desk
            entries = (r as? PosResult.Success)?.value.orEmpty()
                .filter { it.outcome.kind == lookup.kind && it.outcome.status == OutcomeStatus.APPROVED && !it.voided && !it.completed }
            refresh()
        }
    }

    private fun field(ui: Ui, hint: Int, digits: Boolean, max: Int): EditText = ui.input(hint, typed[hint].orEmpty(),
        if (digits) InputType.TYPE_CLASS_NUMBER else InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_CAP_CHARACTERS).apply {
        filters = arrayOf(InputFilter.LengthFilter(max), InputFilter.AllCaps())
        addTextChangedListener(object : android.text.TextWatcher {
            override fun afterTextChanged(s: android.text.Editable?) { typed[hint] = s?.toString().orEmpty() }
            override fun beforeTextChanged(s: CharSequence?, a: Int, b: Int, c: Int) {}
            override fun onTextChanged(s: CharSequence?, a: Int, b: Int, c: Int) {}
        })
    }

    override fun build(ui: Ui): View {
        val inputs: List<View> = when (lookup.by) {
            Lookup.By.TRACE -> listOf(field(ui, R.string.find_trace, true, 6))
            Lookup.By.RRN -> listOf(field(ui, R.string.find_rrn, false, 12), field(ui, R.string.find_date, true, 4))
            Lookup.By.AUTH -> listOf(field(ui, R.string.find_auth, false, 6), field(ui, R.string.find_date, true, 4))
        }
        val list = entries
        val rows: List<View> = when {
            list == null -> listOf(ui.label(R.string.loading, color = R.color.text_secondary))
            list.isEmpty() -> listOf(ui.label(R.string.find_none, color = R.color.text_secondary))
            else -> list.map { v -> ui.entryRow(v) { nav.push(ConfirmScreen(lookup, v)) } }
        }
        return ui.scroll(ui.column(
            ui.label(R.string.find_by_key, bold = true),
            *inputs.toTypedArray(),
            problem?.let { ui.banner(it, R.color.declined, R.color.declined_bg) },
            ui.button(R.string.action_find) { find() },
            ui.label(R.string.find_or_pick, bold = true),
            *rows.toTypedArray(),
        ))
    }

    private fun find() {
        val key = when (lookup.by) {
            Lookup.By.TRACE -> OriginalKey.Trace(typed[R.string.find_trace]?.toIntOrNull() ?: 0)
            Lookup.By.RRN -> OriginalKey.Rrn(typed[R.string.find_rrn].orEmpty(), typed[R.string.find_date].orEmpty())
            Lookup.By.AUTH -> OriginalKey.AuthCode(typed[R.string.find_auth].orEmpty(), typed[R.string.find_date].orEmpty())
        }
        desk.desk({ d -> d.findOriginal(key) }) { r ->
            if (!isCurrent) return@desk
            when (r) {
                is PosResult.Success -> { problem = null; nav.push(ConfirmScreen(lookup, r.value)) }
                is PosResult.Failure -> { problem = Results.errorText(r.code)?.let { ui.str(it) } ?: r.message; refresh() }
            }
        }
    }
}

/**
 * 确认原交易: the original as the engine has it (masked card, amount, date, trace, reference,
 * authorisation code, what was done to it), and the amount where one is asked (refund,
 * completion). The engine checks the rules again when it runs.
 */
class ConfirmScreen(private val lookup: Lookup, private val original: OriginalView) : Screen() {
    override val title get() = lookup.title
    private val entry = AmountEntry()
    private var notice: Int? = null

    override fun build(ui: Ui): View {
        val o = original.outcome
        val details = listOfNotNull(
            ui.pair(R.string.detail_kind, ui.str(kindText(o.kind))),
            ui.pair(R.string.detail_card, o.maskedPan.orEmpty()),
            ui.pair(R.string.detail_amount, ui.str(R.string.amount_yuan, Money.yuan(o.approvedAmount))),
            ui.pair(R.string.detail_date, Results.dateTime(o.date, o.time)),
            ui.pair(R.string.detail_trace, "%06d".format(o.trace)),
            o.rrn?.let { ui.pair(R.string.detail_rrn, it) },
            o.authCode?.let { ui.pair(R.string.detail_auth, it) },
            if (original.refundedAmount > 0) ui.pair(R.string.detail_refunded, ui.str(R.string.amount_yuan, Money.yuan(original.refundedAmount))) else null,
            if (original.voided) ui.pair(R.string.detail_state, ui.str(R.string.status_voided), R.color.declined) else null,
            if (original.completed) ui.pair(R.string.detail_state, ui.str(R.string.status_completed), R.color.declined) else null,
        )
        val card = ui.card(ui.label(R.string.confirm_original, bold = true), *details.toTypedArray())
        if (!lookup.asksAmount) {
            return ui.scroll(ui.column(card, ui.button(lookup.confirm) { Flows.run(nav, lookup.txn(original, 0)) }))
        }
        val hint = if (lookup == Lookup.REFUND) R.string.confirm_refund_hint else R.string.confirm_completion_hint
        val panel = AmountScreen.amountPanel(ui, entry, notice, lookup.confirm, fixed = true) { k ->
            notice = null
            if (k == null) {
                if (entry.fen > 0) Flows.run(nav, lookup.txn(original, entry.fen)) else notice = R.string.home_enter_amount
            }
            refresh()
        }
        return ui.scroll(ui.column(card, ui.label(hint, size = R.dimen.text_small, color = R.color.text_secondary), panel))
    }
}
