package com.unipos.app.ui.screens

import android.graphics.Typeface
import android.view.Gravity
import android.view.View
import android.widget.HorizontalScrollView
import android.widget.LinearLayout
import com.unipos.app.R
import com.unipos.app.cashier.Money
import com.unipos.app.ui.Look
import com.unipos.app.ui.ResultModel
import com.unipos.app.ui.Screen
import com.unipos.app.ui.StatusIcon
import com.unipos.app.ui.Ui
import com.unipos.app.ui.Verdict
import com.unipos.core.PosResult
import com.unipos.sdk.ErrorCodes

/**
 * The result, readable at a glance: approved (green tick), partially approved (orange "!", with
 * what is still to collect), declined or not done (red cross, with the reason), unknown (purple
 * question mark: being resolved, do not charge again). Then the receipt preview and reprint.
 */
class ResultScreen(private val model: ResultModel) : Screen() {
    override val title get() = model.title

    override fun build(ui: Ui): View {
        val v = model.verdict
        val icon = StatusIcon(ui.activity, v.mark, ui.color(v.color))
        val head = LinearLayout(ui.activity).apply {
            orientation = LinearLayout.VERTICAL
            gravity = Gravity.CENTER_HORIZONTAL
            background = ui.rounded(ui.color(v.bg))
            val p = ui.px(R.dimen.gap)
            setPadding(p, p, p, p)
            addView(icon, LinearLayout.LayoutParams(ui.px(R.dimen.status_icon), ui.px(R.dimen.status_icon)))
            addView(ui.label(v.word, size = R.dimen.text_result, color = v.color, bold = true).apply { gravity = Gravity.CENTER })
            model.amount?.let { addView(ui.text(ui.str(R.string.amount_yuan, Money.yuan(it)), size = R.dimen.text_result_amount, bold = true).apply { gravity = Gravity.CENTER }) }
            if (model.remaining > 0) {
                addView(ui.text(ui.str(R.string.result_still_to_collect, Money.yuan(model.remaining)), size = R.dimen.text_title, color = v.color, bold = true).apply { gravity = Gravity.CENTER })
            }
            model.reason?.let { addView(ui.text(it, color = if (v == Verdict.UNKNOWN) v.color else R.color.text).apply { gravity = Gravity.CENTER }) }
        }
        val details = if (model.details.isEmpty()) null else ui.card(*model.details.map { (k, value) -> ui.pair(k, value) }.toTypedArray())
        val actions = ArrayList<View>()
        if (model.slips.isNotEmpty()) actions += ui.button(R.string.action_receipt, Look.SECONDARY) { nav.push(ReceiptScreen(model.title, model.slips)) }
        model.trace?.let { trace ->
            if (model.verdict == Verdict.APPROVED || model.verdict == Verdict.PARTIAL) {
                actions += ui.button(R.string.action_reprint, Look.SECONDARY) { reprint(trace) }
            }
        }
        nextStep()?.let { actions += it }
        actions += ui.button(R.string.action_done) { nav.resetTo(HomeScreen()) }
        return ui.scroll(ui.column(
            head,
            model.signature?.let { ui.banner(ui.str(it), R.color.text, R.color.warning_bg) },
            model.notice?.let { ui.banner(it, R.color.warning, R.color.warning_bg) },
            details,
            *actions.toTypedArray(),
        ))
    }

    /** What the cashier can do about a refusal that is not the card's (sign in, change operator). */
    private fun nextStep(): View? = when (model.code) {
        ErrorCodes.OPERATOR_NOT_SIGNED_IN -> ui.button(R.string.action_sign_in_operator, Look.SECONDARY) { nav.resetTo(SignInScreen()) }
        ErrorCodes.NOT_SIGNED_IN -> ui.button(R.string.fn_sign_in, Look.SECONDARY) { com.unipos.app.ui.Flows.open(nav, com.unipos.app.ui.Function.SIGN_IN) }
        else -> null
    }

    private fun reprint(trace: Int) {
        desk.desk({ d -> d.reprint(trace) }) { r ->
            if (!isCurrent) return@desk
            when (r) {
                is PosResult.Success -> nav.push(ReceiptScreen(model.title, listOf(r.value)))
                is PosResult.Failure -> nav.push(ResultScreen(com.unipos.app.ui.Results.failure(R.string.action_reprint, null, r, ui)))
            }
        }
    }
}

/** The receipt exactly as the engine rendered it for the printer (masked card only). */
class ReceiptScreen(override val title: Int, private val slips: List<List<String>>) : Screen() {
    override fun build(ui: Ui): View {
        val paper = slips.map { lines ->
            val text = ui.text(lines.joinToString("\n"), size = R.dimen.text_small).apply {
                typeface = Typeface.MONOSPACE
                setBackgroundColor(ui.color(R.color.surface))
                val p = ui.px(R.dimen.gap)
                setPadding(p, p, p, p)
            }
            HorizontalScrollView(ui.activity).apply { addView(text) }
        }
        return ui.scroll(ui.column(
            ui.label(R.string.receipt_preview_note, color = R.color.text_secondary),
            *paper.toTypedArray(),
            ui.button(R.string.action_done) { nav.resetTo(HomeScreen()) },
        ))
    }
}
