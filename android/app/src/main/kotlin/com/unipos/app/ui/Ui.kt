package com.unipos.app.ui

import android.app.Activity
import android.content.res.ColorStateList
import android.graphics.Typeface
import android.graphics.drawable.Drawable
import android.graphics.drawable.GradientDrawable
import android.graphics.drawable.RippleDrawable
import android.text.InputType
import android.util.TypedValue
import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.EditText
import android.widget.FrameLayout
import android.widget.Switch
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import com.unipos.app.R

// Screens are built in code from platform widgets: no AndroidX, no layout inflation, little memory
// on Android 7-11 terminals. Every text comes from resources (values/ Chinese, values-en/ English);
// sizes from dimens.xml; colours from colors.xml.

/** How a button looks. */
enum class Look { PRIMARY, SECONDARY, DANGER, QUIET }

/** Widget factory of one activity, with the app's palette and type scale. */
class Ui(val activity: Activity) {
    val res get() = activity.resources

    fun px(dimen: Int): Int = res.getDimensionPixelSize(dimen)
    fun dp(v: Int): Int = TypedValue.applyDimension(TypedValue.COMPLEX_UNIT_DIP, v.toFloat(), res.displayMetrics).toInt()
    fun color(id: Int): Int = activity.getColor(id)
    // Without arguments nothing is formatted (a text may hold a plain "%", as "115%").
    fun str(id: Int, vararg args: Any): String = if (args.isEmpty()) res.getString(id) else res.getString(id, *args)

    fun rounded(fill: Int, stroke: Int? = null, radius: Int = px(R.dimen.corner)): GradientDrawable =
        GradientDrawable().apply {
            setColor(fill)
            cornerRadius = radius.toFloat()
            if (stroke != null) setStroke(dp(1), stroke)
        }

    fun pressable(fill: Int, stroke: Int? = null): Drawable =
        RippleDrawable(ColorStateList.valueOf(color(R.color.key_pressed)), rounded(fill, stroke), rounded(fill))

    fun text(s: CharSequence, size: Int = R.dimen.text_body, color: Int = R.color.text, bold: Boolean = false): TextView =
        TextView(activity).apply {
            text = s
            setTextSize(TypedValue.COMPLEX_UNIT_PX, res.getDimension(size))
            setTextColor(this@Ui.color(color))
            if (bold) typeface = Typeface.DEFAULT_BOLD
        }

    fun label(id: Int, vararg args: Any, size: Int = R.dimen.text_body, color: Int = R.color.text, bold: Boolean = false) =
        text(str(id, *args), size, color, bold)

    fun button(id: Int, look: Look = Look.PRIMARY, onClick: () -> Unit): Button = buttonText(str(id), look, onClick)

    fun buttonText(s: CharSequence, look: Look = Look.PRIMARY, onClick: () -> Unit): Button = Button(activity).apply {
        text = s
        setAllCaps(false)
        minHeight = px(R.dimen.button_height)
        minimumHeight = px(R.dimen.button_height)
        setTextSize(TypedValue.COMPLEX_UNIT_PX, res.getDimension(R.dimen.text_title))
        stateListAnimator = null
        when (look) {
            Look.PRIMARY -> { background = pressable(color(R.color.brand)); setTextColor(color(R.color.text_on_brand)) }
            Look.DANGER -> { background = pressable(color(R.color.declined)); setTextColor(color(R.color.text_on_brand)) }
            Look.SECONDARY -> { background = pressable(color(R.color.surface), color(R.color.brand)); setTextColor(color(R.color.brand)) }
            Look.QUIET -> { background = pressable(color(R.color.background)); setTextColor(color(R.color.brand)) }
        }
        setOnClickListener { onClick() }
    }

    fun column(vararg children: View?, gap: Int = R.dimen.gap): LinearLayout = LinearLayout(activity).apply {
        orientation = LinearLayout.VERTICAL
        children.filterNotNull().forEachIndexed { i, c -> addView(c, fill(if (i == 0) 0 else px(gap))) }
    }

    fun row(vararg children: View?, gap: Int = R.dimen.gap_small): LinearLayout = LinearLayout(activity).apply {
        orientation = LinearLayout.HORIZONTAL
        isBaselineAligned = false
        children.filterNotNull().forEachIndexed { i, c ->
            addView(c, LinearLayout.LayoutParams(0, ViewGroup.LayoutParams.WRAP_CONTENT, 1f).apply { if (i > 0) leftMargin = px(gap) })
        }
    }

    fun fill(top: Int = 0) = LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT).apply { topMargin = top }

    /** A white panel with rounded corners around [children]. */
    fun card(vararg children: View?): LinearLayout = column(*children, gap = R.dimen.gap_small).apply {
        background = rounded(color(R.color.surface), color(R.color.divider))
        val p = px(R.dimen.gap)
        setPadding(p, p, p, p)
    }

    /** A label on the left and a value on the right (detail screens). */
    fun pair(labelRes: Int, value: CharSequence, valueColor: Int = R.color.text): View = LinearLayout(activity).apply {
        orientation = LinearLayout.HORIZONTAL
        minimumHeight = px(R.dimen.touch_min) * 2 / 3
        gravity = Gravity.CENTER_VERTICAL
        addView(label(labelRes, color = R.color.text_secondary), LinearLayout.LayoutParams(0, ViewGroup.LayoutParams.WRAP_CONTENT, 2f))
        addView(text(value, color = valueColor).apply { gravity = Gravity.END },
            LinearLayout.LayoutParams(0, ViewGroup.LayoutParams.WRAP_CONTENT, 3f))
    }

    fun divider(): View = View(activity).apply {
        setBackgroundColor(color(R.color.divider))
        layoutParams = LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, dp(1))
    }

    /** A line of text in a tinted box (notices, errors, the unresolved banner). */
    fun banner(s: CharSequence, fg: Int, bg: Int, onClick: (() -> Unit)? = null): TextView = text(s, color = fg).apply {
        background = rounded(color(bg))
        val p = px(R.dimen.gap)
        setPadding(p, p, p, p)
        minHeight = px(R.dimen.touch_min)
        gravity = Gravity.CENTER_VERTICAL
        if (onClick != null) setOnClickListener { onClick() }
    }

    /** A single-line input with a hint (the setup screen, keys typed with the system keyboard). */
    fun input(hint: Int, value: String = "", type: Int = InputType.TYPE_CLASS_TEXT, lines: Int = 1): EditText = EditText(activity).apply {
        setHint(hint)
        setText(value)
        inputType = if (lines > 1) type or InputType.TYPE_TEXT_FLAG_MULTI_LINE else type
        if (lines > 1) { minLines = 2; maxLines = lines } else setSingleLine(true)
        minHeight = px(R.dimen.touch_min)
        setTextSize(TypedValue.COMPLEX_UNIT_PX, res.getDimension(R.dimen.text_body))
    }

    /** An on/off setting, its title beside the switch, the whole row a touch target. */
    fun toggle(title: Int, on: Boolean): Switch = Switch(activity).apply {
        text = str(title)
        isChecked = on
        minHeight = px(R.dimen.touch_min)
        setTextSize(TypedValue.COMPLEX_UNIT_PX, res.getDimension(R.dimen.text_body))
        setTextColor(color(R.color.text))
        setTypeface(typeface, Typeface.BOLD) // as the titles of the other settings
    }

    /** The brand-coloured bar over a screen: [title] centred, [start] (back) and [end] (operator) beside it. */
    fun bar(title: CharSequence, start: View? = null, end: View? = null): View = FrameLayout(activity).apply {
        setBackgroundColor(color(R.color.brand))
        val pad = px(R.dimen.gap)
        setPadding(pad, 0, pad, 0)
        start?.let { addView(it, FrameLayout.LayoutParams(ViewGroup.LayoutParams.WRAP_CONTENT, px(R.dimen.touch_min), Gravity.START or Gravity.CENTER_VERTICAL)) }
        addView(text(title, size = R.dimen.text_title, color = R.color.text_on_brand, bold = true),
            FrameLayout.LayoutParams(ViewGroup.LayoutParams.WRAP_CONTENT, ViewGroup.LayoutParams.WRAP_CONTENT, Gravity.CENTER))
        end?.let { addView(it, FrameLayout.LayoutParams(ViewGroup.LayoutParams.WRAP_CONTENT, ViewGroup.LayoutParams.WRAP_CONTENT, Gravity.END or Gravity.CENTER_VERTICAL)) }
    }

    /** [content] scrolling, padded. */
    fun scroll(content: View): ScrollView = ScrollView(activity).apply {
        isFillViewport = true
        val p = px(R.dimen.gap)
        content.setPadding(p, p, p, p)
        addView(content)
    }
}
