"""Each role's to-do list ("待您处理") on its home page: one module per role reads the
database and says what waits for this person, each item a sentence with the case
reference and a link to the exact place to act; the rules of what is due and in which
order are :mod:`app.rules.todo`'s."""
