package com.unipos.app.ui.screens

import android.view.View
import android.view.ViewGroup
import android.widget.LinearLayout
import com.unipos.app.R
import com.unipos.app.ui.Flows
import com.unipos.app.ui.Function
import com.unipos.app.ui.Look
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Ui

/** 功能菜单: every function of the engine, three large tiles a row. */
class MenuScreen : Screen() {
    override val title = R.string.menu_title

    override fun build(ui: Ui): View {
        val grid = LinearLayout(ui.activity).apply { orientation = LinearLayout.VERTICAL }
        for ((i, chunk) in Function.values().toList().chunked(COLUMNS).withIndex()) {
            // Not baseline-aligned: a two-line tile would otherwise drop below its neighbours.
            val row = LinearLayout(ui.activity).apply { orientation = LinearLayout.HORIZONTAL; isBaselineAligned = false }
            for (c in 0 until COLUMNS) {
                val f = chunk.getOrNull(c)
                val lp = LinearLayout.LayoutParams(0, ui.dp(TILE_DP), 1f).apply { if (c > 0) leftMargin = ui.px(R.dimen.gap_small) }
                if (f == null) { row.addView(View(ui.activity), lp); continue }
                row.addView(ui.button(f.title, if (f == Function.MANAGE) Look.PRIMARY else Look.SECONDARY) { Flows.open(nav, f) }.apply {
                    setTextSize(android.util.TypedValue.COMPLEX_UNIT_PX, ui.res.getDimension(R.dimen.text_body))
                    maxLines = 2
                    val p = ui.px(R.dimen.gap_small)
                    setPadding(p, p, p, p)
                }, lp)
            }
            grid.addView(row, LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT).apply {
                if (i > 0) topMargin = ui.px(R.dimen.gap_small)
            })
        }
        return ui.scroll(grid)
    }

    private companion object {
        const val COLUMNS = 3
        const val TILE_DP = 72
    }
}
