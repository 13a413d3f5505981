package com.unipos.app.ui

import android.app.Activity
import android.graphics.Bitmap
import android.view.Gravity
import android.view.View
import android.widget.Button
import android.widget.ImageView
import android.widget.LinearLayout
import android.widget.TextView

// The pay Intent's panel (PayActivity), built in code from platform widgets. The cashier screens
// have their own toolkit (Ui.kt).

fun Activity.column(vararg children: View): LinearLayout = LinearLayout(this).apply {
    orientation = LinearLayout.VERTICAL
    setPadding(24, 24, 24, 24)
    children.forEach { addView(it) }
}

fun Activity.text(s: String, size: Float = 18f): TextView = TextView(this).apply { text = s; textSize = size }

fun Activity.button(label: String, onClick: () -> Unit): Button = Button(this).apply {
    text = label
    setOnClickListener { onClick() }
}

/** Progress of one transaction: stage text, the dynamic QR code when there is one, and cancel. */
class ProgressPanel(activity: Activity, onCancel: () -> Unit) {
    private val status = activity.text("", 22f).apply { gravity = Gravity.CENTER }
    private val code = ImageView(activity).apply { visibility = View.GONE }
    private val codeUrl = activity.text("", 12f)
    val view: LinearLayout = activity.column(status, code, codeUrl, activity.button(activity.getString(com.unipos.app.R.string.action_cancel), onCancel))

    fun show(message: String) { status.text = message }

    fun showCode(bitmap: Bitmap?, url: String) {
        code.setImageBitmap(bitmap)
        code.visibility = View.VISIBLE
        codeUrl.text = url
    }
}
