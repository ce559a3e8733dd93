"""The codebook flow: read a codebook folder (`records`), compile it into matchers (`compiler`), check it as a whole
(`validate`), load it for a build (`loader`: read + checks, raising on errors) and compare two versions (`diff`).

Imports run one way: records <- compiler <- validate <- loader; diff reads records, compiler and validate.
"""
