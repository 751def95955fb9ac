"""Research domain: deciding whether a product is worth selling before anyone spends on it.

A product starts as a candidate, gets a research file (market notes, competitors,
suppliers, confirmed stock, evidence), and is approved only when every mandatory
criterion of the shop's checklist passes; otherwise it stays in research or is rejected.

Glossary:
    HPP        harga pokok produksi: the supplier's unit cost of the product
    gudang     warehouse we pick and pack from; supplier deliveries arrive there
"""
