package com.unipos.app.ui

import android.content.Context
import android.graphics.Canvas
import android.graphics.Paint
import android.graphics.Path
import android.view.View

/** The shape that tells a result without reading: a tick, a cross, a question mark, an exclamation. */
enum class Mark { TICK, CROSS, QUESTION, EXCLAMATION }

/**
 * A filled circle with a white [mark], drawn (no font or image needed, so it looks the same on
 * every terminal). Colour and shape both differ per result; the word is next to it.
 */
class StatusIcon(context: Context, private val mark: Mark, private val fill: Int) : View(context) {
    private val circle = Paint(Paint.ANTI_ALIAS_FLAG).apply { color = fill; style = Paint.Style.FILL }
    private val stroke = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = 0xFFFFFFFF.toInt(); style = Paint.Style.STROKE; strokeCap = Paint.Cap.ROUND; strokeJoin = Paint.Join.ROUND
    }
    private val dot = Paint(Paint.ANTI_ALIAS_FLAG).apply { color = 0xFFFFFFFF.toInt(); style = Paint.Style.FILL }

    override fun onDraw(canvas: Canvas) {
        val s = minOf(width, height).toFloat()
        val cx = width / 2f
        val cy = height / 2f
        canvas.drawCircle(cx, cy, s / 2f, circle)
        stroke.strokeWidth = s * 0.1f
        val u = s / 100f
        when (mark) {
            Mark.TICK -> canvas.drawPath(Path().apply {
                moveTo(cx - 24 * u, cy + 2 * u); lineTo(cx - 6 * u, cy + 20 * u); lineTo(cx + 26 * u, cy - 18 * u)
            }, stroke)
            Mark.CROSS -> {
                canvas.drawLine(cx - 20 * u, cy - 20 * u, cx + 20 * u, cy + 20 * u, stroke)
                canvas.drawLine(cx + 20 * u, cy - 20 * u, cx - 20 * u, cy + 20 * u, stroke)
            }
            Mark.EXCLAMATION -> {
                canvas.drawLine(cx, cy - 26 * u, cx, cy + 8 * u, stroke)
                canvas.drawCircle(cx, cy + 24 * u, 6 * u, dot)
            }
            Mark.QUESTION -> {
                canvas.drawPath(Path().apply {
                    moveTo(cx - 16 * u, cy - 14 * u)
                    cubicTo(cx - 16 * u, cy - 34 * u, cx + 18 * u, cy - 34 * u, cx + 18 * u, cy - 14 * u)
                    cubicTo(cx + 18 * u, cy - 2 * u, cx, cy - 2 * u, cx, cy + 10 * u)
                }, stroke)
                canvas.drawCircle(cx, cy + 26 * u, 6 * u, dot)
            }
        }
    }
}
