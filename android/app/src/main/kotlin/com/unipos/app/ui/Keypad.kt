package com.unipos.app.ui

import android.util.TypedValue
import android.view.ViewGroup
import android.widget.Button
import android.widget.LinearLayout
import com.unipos.app.R

/** What a key does. */
sealed class Key {
    /** "0".."9" or "00". */
    data class Digits(val digits: String) : Key()
    object Delete : Key()
}

/**
 * The on-screen numeric keypad: 1-9, 00, 0 and delete in four rows of large keys (each well
 * above 48dp) that share the height they are given.
 */
fun Ui.keypad(onKey: (Key) -> Unit, doubleZero: Boolean = true): LinearLayout {
    val rows = listOf(
        listOf(Key.Digits("1"), Key.Digits("2"), Key.Digits("3")),
        listOf(Key.Digits("4"), Key.Digits("5"), Key.Digits("6")),
        listOf(Key.Digits("7"), Key.Digits("8"), Key.Digits("9")),
        listOf(if (doubleZero) Key.Digits("00") else null, Key.Digits("0"), Key.Delete),
    )
    return LinearLayout(activity).apply {
        orientation = LinearLayout.VERTICAL
        for ((r, keys) in rows.withIndex()) {
            val row = LinearLayout(activity).apply { orientation = LinearLayout.HORIZONTAL; isBaselineAligned = false }
            for ((c, k) in keys.withIndex()) {
                val lp = LinearLayout.LayoutParams(0, ViewGroup.LayoutParams.MATCH_PARENT, 1f).apply { if (c > 0) leftMargin = px(R.dimen.gap_small) }
                if (k == null) { row.addView(android.view.View(activity), lp); continue }
                row.addView(key(k, onKey), lp)
            }
            addView(row, LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 0, 1f).apply {
                if (r > 0) topMargin = px(R.dimen.gap_small)
            })
        }
        minimumHeight = 4 * px(R.dimen.key_height)
    }
}

private fun Ui.key(k: Key, onKey: (Key) -> Unit): Button {
    val label = when (k) {
        is Key.Digits -> k.digits
        Key.Delete -> str(R.string.key_delete)
    }
    return buttonText(label, Look.SECONDARY) { onKey(k) }.apply {
        setTextColor(color(R.color.text))
        background = pressable(color(R.color.key), color(R.color.divider))
        setTextSize(TypedValue.COMPLEX_UNIT_PX, res.getDimension(if (k == Key.Delete) R.dimen.text_title else R.dimen.text_key))
        minHeight = px(R.dimen.touch_min)
        minimumHeight = px(R.dimen.touch_min)
        // No inner padding: the digit stays whole when the key is only 48dp high.
        setPadding(0, 0, 0, 0)
    }
}
