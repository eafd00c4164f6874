"""Corrections: a number a published bulletin stated that the source has since revised.

A stage of its own, between the story (which it recomputes) and render
(which writes the notes). It reads only the store: what each published
bulletin stated, kept there by ``stated.remember`` when the bulletin was
written (the number as written, the ids of the quantities it was traced to,
its sentence), and the data as a collection left it.

    stated.py   what a written bulletin states, and how far back each number reaches
    detect.py   after a collection: each touched week's story recomputed, its stated numbers
                paired with what the store now gives them, and whether the story itself changed

Whether a number reads differently now, and how the note says so, is the
render stage's (render/restate.py, render/correction_notes.py). What a
correction is (the row the store keeps) is in model/corrections.py. The
pipeline decides when they run (``pipeline.correct_published``).
"""
