"""CRM domain: who our customers are, what they think, and who must do what next.

Glossary:
    profile      one person, seen through one or more customer ids (merged by phone)
    RFM          recency (days since last order), frequency (orders), monetary (spend)
    segment      a named group of profiles by their RFM scores and return rate
    task         a piece of work for one division, opened and closed by events or by hand
    stage        where a product is in the relay research -> pricing -> content -> ads
"""
