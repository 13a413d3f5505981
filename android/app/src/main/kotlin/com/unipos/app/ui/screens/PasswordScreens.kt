package com.unipos.app.ui.screens

import android.text.format.DateFormat
import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.widget.LinearLayout
import com.unipos.app.R
import com.unipos.app.ui.Key
import com.unipos.app.ui.Look
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Ui
import com.unipos.app.ui.keypad
import com.unipos.core.PosResult
import com.unipos.core.ffi.GuardedAction
import com.unipos.core.ffi.PosException
import com.unipos.core.ffi.SupervisorGrant
import com.unipos.sdk.ErrorCodes
import java.util.Date

/** A value keyed on the keypad: digits shown, or masked for a password. */
class KeyedField(val label: Int, val max: Int, val secret: Boolean) {
    var value: String = ""
    fun key(k: Key) {
        when (k) {
            is Key.Digits -> if (value.length + k.digits.length <= max) value += k.digits
            Key.Delete -> value = value.dropLast(1)
        }
    }
}

/** The boxes of [fields] (the focused one outlined), and the keypad typing into it. */
fun Ui.entry(fields: List<KeyedField>, focus: Int, onFocus: (Int) -> Unit, onKey: (Key) -> Unit): LinearLayout {
    val boxes = fields.mapIndexed { i, f ->
        val shown = if (f.secret) "*".repeat(f.value.length) else f.value
        column(
            label(f.label, color = R.color.text_secondary),
            text(shown, size = R.dimen.text_result, bold = true).apply {
                gravity = Gravity.CENTER
                minHeight = px(R.dimen.touch_min)
                background = rounded(color(R.color.surface), color(if (i == focus) R.color.brand else R.color.divider))
            },
            gap = R.dimen.gap_small,
        ).apply { setOnClickListener { onFocus(i) } }
    }
    return LinearLayout(activity).apply {
        orientation = LinearLayout.VERTICAL
        boxes.forEach { addView(it, fill(px(R.dimen.gap_small))) }
        addView(keypad(onKey, doubleZero = false), LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 0, 1f).apply {
            topMargin = px(R.dimen.gap)
        })
    }
}

/** What an operator or supervisor refusal tells the cashier. */
fun Ui.passwordProblem(f: PosResult.Failure): String = when (val e = f.cause) {
    is PosException.WrongPassword -> str(R.string.pw_wrong, e.attemptsLeft)
    is PosException.PasswordLocked -> str(R.string.pw_locked, DateFormat.getTimeFormat(activity).format(Date(e.lockedUntil)))
    is PosException.UnknownOperator -> str(R.string.pw_unknown_operator)
    is PosException.PasswordChangeRequired -> str(R.string.pw_must_change)
    else -> com.unipos.app.ui.Results.errorText(f.code)?.let { str(it) } ?: f.message
}

/** A screen of keyed fields with a confirm button and a line for what went wrong. */
abstract class EntryScreen(protected val fields: List<KeyedField>) : Screen() {
    protected var focus = 0
    var problem: String? = null
    protected var notice: String? = null
    protected abstract val confirm: Int

    protected abstract fun submit()

    protected open fun extra(ui: Ui): View? = null

    override fun build(ui: Ui): View {
        val content = LinearLayout(ui.activity).apply {
            orientation = LinearLayout.VERTICAL
            val p = ui.px(R.dimen.gap)
            setPadding(p, p, p, p)
        }
        // Compact lines (not touch targets): the keypad below keeps its 48dp keys on a 640dp screen.
        fun compact(v: android.widget.TextView) = v.apply {
            minHeight = 0
            val p = ui.px(R.dimen.gap)
            val h = ui.px(R.dimen.gap_small)
            setPadding(p, h, p, h)
        }
        notice?.let { content.addView(compact(ui.banner(it, R.color.text, R.color.brand_light)), ui.fill()) }
        problem?.let { content.addView(compact(ui.banner(it, R.color.declined, R.color.declined_bg)), ui.fill(ui.px(R.dimen.gap_small))) }
        content.addView(ui.entry(fields, focus, { focus = it; refresh() }) { k ->
            fields[focus].key(k)
            if (k is Key.Digits && fields[focus].value.length == fields[focus].max && focus < fields.size - 1) focus++
            refresh()
        }, LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 0, 1f))
        content.addView(ui.button(confirm) { submit() }, ui.fill(ui.px(R.dimen.gap)))
        extra(ui)?.let { content.addView(it, ui.fill(ui.px(R.dimen.gap_small))) }
        return content
    }
}

/** 操作员签到: number (01-99) and password, checked by the engine. */
class SignInScreen(number: String = "", password: String = "") : EntryScreen(listOf(
    KeyedField(R.string.signin_number, 2, false).apply { value = number },
    KeyedField(R.string.signin_password, 12, true).apply { value = password },
)) {
    override val title = R.string.signin_title
    override val confirm = R.string.action_sign_in_operator

    init { if (number.length == 2) focus = 1 }

    override fun extra(ui: Ui): View = ui.button(R.string.signin_manage, Look.QUIET) {
        nav.push(SupervisorScreen(GuardedAction.OPERATOR_MANAGEMENT) { g -> nav.replace(OperatorsScreen(g)) })
    }.apply {
        // A secondary way: 48dp is enough, and leaves the keys theirs.
        minHeight = ui.px(R.dimen.touch_min)
        minimumHeight = ui.px(R.dimen.touch_min)
    }

    override fun submit() {
        val (number, password) = fields[0].value to fields[1].value
        desk.desk({ d -> d.signIn(number, password) }) { r ->
            if (!isCurrent) return@desk
            fields[1].value = ""
            when (r) {
                is PosResult.Success -> { nav.operator = r.value.number; nav.resetTo(HomeScreen()) }
                is PosResult.Failure -> {
                    if (r.cause is PosException.PasswordChangeRequired) {
                        nav.push(ChangePasswordScreen(number, password) { nav.back(); problem = null })
                        return@desk
                    }
                    problem = if (number == "00" && r.code == ErrorCodes.INVALID_REQUEST) ui.str(R.string.signin_supervisor_cannot) else ui.passwordProblem(r)
                    focus = 1
                    refresh()
                }
            }
        }
    }
}

/**
 * 主管密码: the supervisor's password for [action]; the engine answers with a grant (or how many
 * attempts are left, or until when it is locked). The factory password is changed first.
 */
class SupervisorScreen(
    private val action: GuardedAction,
    private val onGrant: (SupervisorGrant) -> Unit,
) : EntryScreen(listOf(KeyedField(R.string.supervisor_password, 12, true))) {
    override val title = R.string.supervisor_title
    override val confirm = R.string.action_authorise

    override fun extra(ui: Ui): View = ui.label(R.string.supervisor_hint, size = R.dimen.text_small, color = R.color.text_secondary).apply {
        gravity = Gravity.CENTER
    }

    override fun submit() {
        val password = fields[0].value
        desk.desk({ d -> d.authorizeSupervisor(password, action) }) { r ->
            if (!isCurrent) return@desk
            fields[0].value = ""
            when (r) {
                is PosResult.Success -> onGrant(r.value)
                is PosResult.Failure -> {
                    if (r.cause is PosException.PasswordChangeRequired) {
                        nav.push(ChangePasswordScreen("00", password) {
                            nav.back()
                            notice = ui.str(R.string.supervisor_changed)
                            problem = null
                            refresh()
                        })
                        return@desk
                    }
                    problem = ui.passwordProblem(r)
                    refresh()
                }
            }
        }
    }
}

/** A new password for [number] (the factory supervisor password must be changed so). */
class ChangePasswordScreen(
    private val number: String,
    private val current: String,
    private val onChanged: () -> Unit,
) : EntryScreen(listOf(KeyedField(R.string.pw_new, 12, true), KeyedField(R.string.pw_repeat, 12, true))) {
    override val title = R.string.pw_change_title
    override val confirm = R.string.action_save

    init { notice = null }

    override fun extra(ui: Ui): View = ui.label(if (number == "00") R.string.pw_rules_supervisor else R.string.pw_rules_operator,
        size = R.dimen.text_small, color = R.color.text_secondary)

    override fun submit() {
        val (new, again) = fields[0].value to fields[1].value
        if (new != again) { problem = ui.str(R.string.pw_mismatch); fields.forEach { it.value = "" }; focus = 0; refresh(); return }
        desk.desk({ d -> d.changePassword(number, current, new) }) { r ->
            if (!isCurrent) return@desk
            fields.forEach { it.value = "" }
            when (r) {
                is PosResult.Success -> onChanged()
                is PosResult.Failure -> {
                    problem = if (r.code == ErrorCodes.INVALID_REQUEST) {
                        ui.str(if (number == "00") R.string.pw_rules_supervisor else R.string.pw_rules_operator)
                    } else ui.passwordProblem(r)
                    focus = 0
                    refresh()
                }
            }
        }
    }
}
